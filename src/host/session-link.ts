/**
 * The session link: one helper process per host for the whole command
 * (erlang-helpers/hotup_session.escript, run with the release's ERTS over the
 * host's one SSH connection), answering typed requests as a hidden node of the
 * release's node. A request is a round trip of milliseconds, not a VM boot.
 */
import { HotupError } from '../errors.js';
import type { Executor, Process } from '../remote/executor.js';
import { helpersDir, LAUNCH_EXIT, sessionArgv } from '../commands/session.js';
import { launchFailure } from '../helper/run.js';
import { helpersDigest, installHelpers } from './helpers-install.js';
import { decodeFramed, isAtom, printTerm, textOf, type Term } from '../terms/etf.js';
import { erlpack } from '../terms/erlpack.js';
import type { NodeLink } from './node-link.js';
import type { NodeRequest } from './protocol.js';

/** How long the helper may take to start and say hello. */
const HELLO_MS = 30_000;
/** How long a trivial command may take when hotup checks that the link still works. */
const LINK_PROBE_MS = 10_000;

/** The typed requests, the helper's own liveness check, and reads of the host's files. */
type Request = NodeRequest | { op: 'ping' } | { op: 'read' | 'consult'; path: string } | { op: 'append'; path: string; text: string };

/** How a helper process ended (see Process.ended). */
type Ended = Awaited<Process['ended']>;

export class SessionLink implements NodeLink {
  private running: Promise<Process> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  /** Where the helper's next frame goes: the request (or hello) being waited for. */
  private waiting: ((t: Term) => void) | undefined;

  constructor(private readonly exec: Executor, private readonly root: string, private readonly app: string, private readonly env: Record<string, string>) {}

  async up(): Promise<boolean> {
    try {
      return isAtom(await this.send({ op: 'ping' }, 15_000), 'true');
    } catch (e) {
      if (e instanceof HotupError && e.code === 'NODE_DOWN') return false;
      throw e;
    }
  }

  call(req: NodeRequest, timeoutMs: number): Promise<Term> {
    return this.send(req, timeoutMs);
  }

  private send(req: Request, timeoutMs: number): Promise<Term> {
    // One request in flight: the helper answers in order.
    const result = this.queue.then(() => this.roundTrip(req, timeoutMs));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** A file's text on the host, or null when it does not exist; the node need not run. */
  async read(file: string): Promise<string | null> {
    const t = await this.send({ op: 'read', path: file }, 30_000);
    if (t.kind === 'binary') return t.value;
    if (isAtom(t, 'none')) return null;
    throw this.unreadable(file, t);
  }

  /** The terms of an Erlang term file on the host (RELEASES, .rel, relup), or null when it does not exist. */
  async consult(file: string): Promise<Term[] | null> {
    const t = await this.send({ op: 'consult', path: file }, 30_000);
    if (isAtom(t, 'none')) return null;
    if (t.kind === 'tuple' && isAtom(t.items[0], 'ok') && t.items[1]?.kind === 'list') return t.items[1].items;
    throw this.unreadable(file, t);
  }

  async append(file: string, text: string): Promise<void> {
    const t = await this.send({ op: 'append', path: file, text }, 30_000);
    if (!isAtom(t, 'ok')) throw this.unreadable(file, t, 'write to');
  }

  private unreadable(file: string, t: Term, what = 'read'): HotupError {
    const detail = t.kind === 'tuple' && t.items[1] ? textOf(t.items[1]) ?? printTerm(t.items[1]) : printTerm(t);
    return new HotupError('COMMAND_FAILED', `could not ${what} ${file}: ${detail}`,
      'Check that the SSH user can read and write the release directory, that the disk has room, and that a term file is valid.', this.host());
  }

  async close(): Promise<void> {
    const r = this.running;
    this.running = undefined;
    if (!r) return;
    const proc = await r.catch(() => undefined);
    if (!proc) return;
    proc.close();
    await proc.ended;
  }

  private host() {
    return { host: this.exec.target };
  }

  private async roundTrip(req: Request, timeoutMs: number): Promise<Term> {
    const proc = await this.session();
    const id = this.nextId++;
    // The helper gives up on the node a second before we give up on the helper, so its answer says why.
    proc.write(`${erlpack().pack({ ...req, id, timeout: Math.max(1000, timeoutMs - 1000) }).toString('base64')}\n`);
    const reply = await this.nextFrame(proc, timeoutMs);
    if (reply === 'timeout') {
      // A helper that does not answer is abandoned; the next call starts a new one.
      void this.close();
      throw await this.silence(req, timeoutMs);
    }
    if (!('kind' in reply)) {
      this.running = undefined;
      throw reply.lost ?? new HotupError('HELPER_FAILED',
        `the session helper on the host stopped during ${req.op} (exit ${reply.code}): ${reply.stderr.trim().slice(-400) || 'no output'}`,
        'Run hotup again; if it recurs, this is a bug in hotup: please report it with this message.', this.host());
    }
    return this.answer(req, id, reply);
  }

  /** The helper's next frame, how it ended, or 'timeout': whichever comes first. */
  private nextFrame(proc: Process, timeoutMs: number): Promise<Term | Ended | 'timeout'> {
    return new Promise((resolve) => {
      const settle = (v: Term | Ended | 'timeout') => {
        clearTimeout(timer);
        if (this.waiting === settle) this.waiting = undefined;
        resolve(v);
      };
      const timer = setTimeout(() => settle('timeout'), timeoutMs);
      this.waiting = settle;
      void proc.ended.then(settle);
    });
  }

  /** No answer in time: a link that no longer carries a command is LINK_LOST; a working link means the node is slow or stuck. */
  private async silence(req: Request, timeoutMs: number): Promise<HotupError> {
    const linkAnswers = await this.exec.run(['true'], { timeoutMs: LINK_PROBE_MS }).then(() => true, () => false);
    if (!linkAnswers) {
      return new HotupError('LINK_LOST', `no answer to ${req.op} within ${Math.round(timeoutMs / 1000)} s, and the SSH link to the host no longer runs a command`,
        'The node itself may be fine: check the network to the host, then run `hotup status`.', this.host());
    }
    return new HotupError('CALL_FAILED', `the node did not answer ${req.op} within ${Math.round(timeoutMs / 1000)} s`,
      'The node may be overloaded or stuck: look at it with `bin/<app> remote`, then run hotup again.', this.host());
  }

  private answer(req: Request, id: number, reply: Term): Term {
    // {reply, Id, {ok, V} | {error, Class, Detail}}
    if (reply.kind !== 'tuple' || !isAtom(reply.items[0], 'reply') || reply.items[1]?.kind !== 'int' || reply.items[1].value !== id) {
      throw new HotupError('HELPER_FAILED', `the session helper answered ${printTerm(reply)} to request ${id}`, 'This is a bug in hotup; please report it.', this.host());
    }
    const r = reply.items[2]!;
    if (r.kind === 'tuple' && isAtom(r.items[0], 'ok') && r.items.length === 2) return r.items[1]!;
    if (r.kind === 'tuple' && isAtom(r.items[0], 'error')) {
      const cls = r.items[1]?.kind === 'atom' ? r.items[1].name : '?';
      const detail = r.items[2] ? textOf(r.items[2]) ?? printTerm(r.items[2]) : '';
      if (cls === 'node_down') {
        return nodeDown(this.root, this.app, this.exec.target, detail);
      }
      if (cls === 'call_failed') {
        throw new HotupError('CALL_FAILED', `the node failed ${req.op}: ${detail}`,
          'The node is up; look at its logs for why the call failed, then run hotup again.', this.host());
      }
      throw new HotupError('HELPER_FAILED', `the session helper refused ${req.op}: ${detail}`, 'This is a bug in hotup; please report it.', this.host());
    }
    throw new HotupError('HELPER_FAILED', `the session helper answered ${printTerm(r)}`, 'This is a bug in hotup; please report it.', this.host());
  }

  private session(): Promise<Process> {
    this.running ??= this.start().catch((e: unknown) => {
      this.running = undefined;
      throw e;
    });
    return this.running;
  }

  private async start(): Promise<Process> {
    const first = await this.spawn();
    if (first !== 'not installed') return first;
    await installHelpers(this.exec, this.root);
    const second = await this.spawn();
    if (second === 'not installed') {
      throw new HotupError('HELPER_FAILED', `the session helper is not under ${helpersDir(this.root, helpersDigest())} after installing it`,
        'Check that the SSH user can write under deploy_to/.hotup and that the disk has room.', this.host());
    }
    return second;
  }

  /** Starts the helper and waits for its hello; 'not installed' when the host lacks this version's files. */
  private async spawn(): Promise<Process | 'not installed'> {
    const spawning = this.exec.spawn(sessionArgv(this.root, this.app, helpersDigest()), { env: this.env });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Opened after all: nobody will use it.
        void spawning.then((p) => p.close(), () => undefined);
        reject(new HotupError('LINK_LOST', `the host did not open a session for hotup's helper within ${HELLO_MS / 1000} s`,
          'The SSH link to the host hangs: check the network, then run `hotup status`.', this.host()));
      }, HELLO_MS);
    });
    let proc: Process;
    try {
      proc = await Promise.race([spawning, late]);
    } finally {
      clearTimeout(timer);
    }
    proc.onLine((line) => {
      const t = line.startsWith('HOTUP1:') ? decodeFramed(line) : undefined;
      if (t) this.waiting?.(t);
    });
    const hello = await this.nextFrame(proc, HELLO_MS);
    if (hello === 'timeout') {
      proc.close();
      return this.cannotStart(-1, 'no hello from the helper');
    }
    if ('kind' in hello) {
      if (hello.kind === 'tuple' && isAtom(hello.items[0], 'hello')) return proc;
      // {error, Class, Detail} and an exit: the helper could not start.
      const end = await proc.ended;
      return this.cannotStart(end.code, hello.kind === 'tuple' && hello.items[2] ? textOf(hello.items[2]) ?? printTerm(hello.items[2]) : printTerm(hello));
    }
    if (hello.lost) throw hello.lost;
    if (hello.code === LAUNCH_EXIT.notInstalled) return 'not installed';
    return this.cannotStart(hello.code, hello.stderr.trim().slice(-400) || 'no output');
  }

  /** Why the helper could not start, from the launcher's exit code or the helper's own (documented at its top). */
  private cannotStart(code: number, detail: string): never {
    const host = this.host();
    const launch = launchFailure(code, this.exec.target);
    if (launch) throw launch;
    switch (code) {
      case 3:
        // No start_erl.data: no release has been installed there, so no node can run from it.
        return nodeDown(this.root, this.app, this.exec.target, detail);
      case 4:
        throw new HotupError('NODE_DOWN', `the node of ${this.app} cannot be reached: ${detail}`,
          'Run the release with distribution on (a node name in vm.args, or RELEASE_DISTRIBUTION=sname|name for mix) to upgrade it hot.', host);
      default:
        throw new HotupError('HELPER_FAILED', `hotup's session helper could not start (exit ${code}): ${detail}`,
          'Check that the release\'s ERTS runs on this host (same OS and architecture as the build); run hotup again.', host);
    }
  }
}

function nodeDown(root: string, app: string, host: string, detail: string): never {
  throw new HotupError('NODE_DOWN', `the node of ${app} under ${root} does not answer: ${detail}`,
    `Start it (for example \`${root}/bin/${app} daemon\`) or check that deploy_to points at the live release.`, { host });
}
