/**
 * An in-process Host over a small simulated machine: a file map (start_erl.data,
 * RELEASES, shipped tarballs, the lock directory, the journal), a
 * release_handler model, a node that is up or down, and scriptable faults
 * ("the Nth call of OP fails like this"). No processes, no sshd, no Erlang.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HotupError, type ErrorCode } from '../../src/errors.js';
import type { Host, MustOptions } from '../../src/host/host.js';
import type { NodeOp, NodeRequest } from '../../src/host/protocol.js';
import type { RunOptions, RunResult, UploadProgress } from '../../src/remote/executor.js';
import type { Term } from '../../src/terms/etf.js';
import { journalPath, readJournalArgv } from '../../src/commands/journal.js';
import { acquireLockArgv, lockDir, readLockArgv, LOCK_HELD } from '../../src/commands/lock.js';
import { commitShipArgv, consolidatedDiffArgv, prepareShipArgv, renameIfPresentArgv, SHIP_EXIT } from '../../src/commands/files.js';
import { daemonArgv, promoteScriptArgv } from '../../src/commands/restart.js';
import { diskUsageArgv } from '../../src/commands/disk.js';
import type { Config, EnvironmentConfig } from '../../src/config/types.js';
import type { CoreContext } from '../../src/core/context.js';
import type { HotupEvent } from '../../src/core/events.js';
import type { LocalTarball } from '../../src/host/ship.js';
import { PLAN_SCHEMA, type HostAction, type UpgradePlan } from '../../src/plan/types.js';
import { ExecutorPool } from '../../src/remote/connect.js';
import { releaseScript, releasesFilePath, shippedTarballPath, startErlDataPath } from '../../src/commands/release-paths.js';

export type ReleaseStatus = 'unpacked' | 'current' | 'permanent' | 'old';

/** What a host operation is called in faults and in the log. */
export type FakeOp =
  | 'read' | 'terms' | 'append' | 'put' | 'get' | 'nodeUp' | 'helper:facts' | 'helper:set-boot' | 'helper:runtime-config'
  | `call:${NodeOp}`
  | `run:${RunKind}`;

type RunKind = 'lock' | 'read-lock' | 'unlock' | 'read-journal' | 'ship-prepare' | 'ship-commit' | 'mkdir' | 'mv' | 'rm'
  | 'test' | 'promote' | 'stop' | 'daemon' | 'extract' | 'shell' | 'rename-if-present' | 'consolidated-diff'
  | 'sudo-check' | 'systemctl-restart' | 'systemctl-show' | 'journalctl' | 'du';

export interface Fault {
  op: FakeOp;
  /** Which occurrence of OP fails, counted from when the fault is added (default 1: the next). */
  nth?: number;
  /** The op throws this error (a code makes a HotupError of that code). */
  error?: ErrorCode | HotupError;
  /** The host is unreachable from then on: every later operation is LINK_LOST. */
  gone?: boolean;
  /** release_handler answers this instead of doing the call (for `terms`: the file holds this one term). */
  reply?: Term;
  /** A run answers this exit code and stderr instead. */
  exit?: { code: number; stderr?: string };
  /** Changes the simulated host first (the node dies, a file vanishes...). */
  effect?: (sim: FakeHost) => void;
}

const atom = (name: string): Term => ({ kind: 'atom', name });
const bin = (value: string): Term => ({ kind: 'binary', value });
const tuple = (...items: Term[]): Term => ({ kind: 'tuple', items });
/** `{error, Reason}` as release_handler returns it. */
export const rhError = (reason: string): Term => tuple(atom('error'), atom(reason));

export interface FakeHostOptions {
  name: string;
  root?: string;
  app?: string;
  erts?: string;
  /** Releases release_handler knows, oldest first; the permanent one runs and start_erl.data names it. */
  releases: Array<{ vsn: string; status: ReleaseStatus }>;
  /** A plain mix release: no releases/RELEASES until create_RELEASES. */
  noReleasesFile?: boolean;
  up?: boolean;
}

export class FakeHost implements Host {
  readonly name: string;
  readonly root: string;
  readonly app: string;
  readonly env: Record<string, string> = { FAKE: '1' };
  readonly erts: string;
  /** The release table (the node's and RELEASES' alike). */
  releases: Array<{ vsn: string; status: ReleaseStatus }>;
  readonly files = new Map<string, string>();
  /** Term files other than RELEASES, as the session decodes them (a relup: one term). */
  readonly termFiles = new Map<string, Term>();
  /** The consolidated protocol beams that differ between any two releases (a mix release's releases/<vsn>/consolidated). */
  protocolsDiffer: string[] = [];
  up: boolean;
  /** Versions whose node crashes at boot. */
  readonly crashesAtBoot = new Set<string>();
  /** Modules that stay on old bytes once a version is installed (verify_code reports them stale). */
  readonly staleCode = new Map<string, string[]>();
  /** The systemd unit's ActiveState (`systemctl restart` boots the node; a crash at boot leaves it failed). */
  unitActive = 'active';
  /** Whether `sudo -n` lets the deploy user run the unit's commands. */
  sudoAllowed = true;
  /** Versions that fail the health command. */
  readonly unhealthy = new Set<string>();
  /** What hotup_helper.escript's runtime-config answers (when the release's sys.config names providers). */
  runtimeConfig: Term = atom('none');
  /** The node's application environment, as eval answers it: `{App, Key, Md5}` entries. */
  appEnv: Term = { kind: 'list', items: [] };
  /** nodeUp polls during which a dying node stays down before it comes back (see `nodeDies`). */
  private revive: { polls: number; on: string } | null = null;
  /** Every operation, in order: `op detail`. */
  readonly log: string[] = [];
  private readonly faults: Array<Fault & { seen: number }> = [];
  private gone = false;

  constructor(o: FakeHostOptions) {
    this.name = o.name;
    this.root = o.root ?? '/srv/shop';
    this.app = o.app ?? 'shop';
    this.erts = o.erts ?? '13.2';
    this.releases = o.releases.map((r) => ({ ...r }));
    this.up = o.up ?? true;
    const permanent = this.releases.find((r) => r.status === 'permanent')!.vsn;
    this.files.set(startErlDataPath(this.root), `${this.erts} ${permanent}\n`);
    if (!o.noReleasesFile) this.files.set(releasesFilePath(this.root), 'RELEASES');
    for (const r of this.releases) this.files.set(this.bootFile(r.vsn), 'boot');
  }

  // ---- what tests look at

  /** The version the node runs now (null when down). */
  get running(): string | null {
    if (!this.up) return null;
    return this.statusOf('current') ?? this.statusOf('permanent');
  }

  statusOf(status: ReleaseStatus): string | null {
    return this.releases.find((r) => r.status === status)?.vsn ?? null;
  }

  get bootsNext(): string {
    return this.files.get(startErlDataPath(this.root))!.trim().split(' ')[1]!;
  }

  get locked(): boolean {
    return this.files.has(`${lockDir(this.root)}/holder.json`);
  }

  journal(): Array<{ step: string; result: string; from: string | null; to: string | null }> {
    return (this.files.get(journalPath(this.root)) ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  ops(prefix: string): string[] {
    return this.log.filter((l) => l.startsWith(prefix));
  }

  // ---- scripting

  fail(f: Fault): this {
    this.faults.push({ ...f, seen: 0 });
    return this;
  }

  /** A fault that kills the node; it comes back on ON (the old or new release) after POLLS nodeUp polls, or never (null). */
  static nodeDies(on: 'old' | 'new' | null, vsn: { old: string; new: string }, polls = 1): Fault['effect'] {
    return (sim) => {
      sim.up = false;
      sim.revive = on === null ? null : { polls, on: vsn[on] };
    };
  }

  private fault(op: FakeOp): Fault | undefined {
    if (this.gone) throw linkLost(this.name);
    const i = this.faults.findIndex((f) => f.op === op && ++f.seen === (f.nth ?? 1));
    if (i < 0) return undefined;
    const [f] = this.faults.splice(i, 1);
    f!.effect?.(this);
    if (f!.gone) {
      this.gone = true;
      throw linkLost(this.name);
    }
    if (f!.error !== undefined) throw typeof f!.error === 'string' ? errorOf(f!.error, this.name) : f!.error;
    return f;
  }

  private record(op: FakeOp, detail = ''): Fault | undefined {
    this.log.push(detail ? `${op} ${detail}` : op);
    return this.fault(op);
  }

  // ---- Host

  async read(path: string): Promise<string | null> {
    this.record('read', path);
    return this.files.get(path) ?? null;
  }

  /** RELEASES as the session decodes it: one list of release records, from the release table. */
  async terms(path: string): Promise<Term[] | null> {
    const f = this.record('terms', path);
    if (f?.reply) return [f.reply];
    const file = this.termFiles.get(path);
    if (file) return [file];
    if (path !== releasesFilePath(this.root) || !this.files.has(path)) return null;
    const str = (v: string): Term => ({ kind: 'list', items: [...v].map((c) => ({ kind: 'int', value: c.charCodeAt(0) })) });
    const rows = this.releases.map((r): Term => ({ kind: 'tuple', items: [
      { kind: 'atom', name: 'release' }, str(this.app), str(r.vsn), str(this.erts),
      { kind: 'list', items: [{ kind: 'tuple', items: [{ kind: 'atom', name: this.app }, str(r.vsn), str(`${this.root}/lib/${this.app}-${r.vsn}`)] }] },
      { kind: 'atom', name: r.status },
    ] }));
    return [{ kind: 'list', items: rows }];
  }

  async run(argv: readonly string[], _opts?: RunOptions): Promise<RunResult> {
    const kind = this.classify(argv);
    const f = this.record(`run:${kind}`, argv.join(' ').slice(0, 120));
    if (f?.exit) return { code: f.exit.code, stdout: '', stderr: f.exit.stderr ?? '' };
    return this.answer(kind, argv);
  }

  async must(argv: readonly string[], what: string, opts: MustOptions = {}): Promise<RunResult> {
    const r = await this.run(argv, opts);
    if (r.code !== 0) throw new HotupError('COMMAND_FAILED', `${what} failed (exit ${r.code}): ${r.stderr}`, opts.remedy ?? 'Run it by hand.', { host: this.name });
    return r;
  }

  async append(path: string, text: string): Promise<void> {
    this.record('append', path);
    this.files.set(path, `${this.files.get(path) ?? ''}${text}`);
  }

  async put(localPath: string, remotePath: string, onProgress?: (p: UploadProgress) => void): Promise<void> {
    this.record('put', remotePath);
    const bytes = readFileSync(localPath);
    this.files.set(remotePath, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    onProgress?.({ transferred: bytes.length, total: bytes.length });
  }

  async get(remotePath: string, _localPath: string): Promise<void> {
    this.record('get', remotePath);
    throw new Error('the fake host does not copy files out');
  }

  async nodeUp(): Promise<boolean> {
    this.record('nodeUp');
    if (!this.up && this.revive && --this.revive.polls <= 0) this.boot(this.revive.on);
    return this.up;
  }

  async call(req: NodeRequest, _timeoutMs?: number): Promise<Term> {
    const f = this.record(`call:${req.op}`, 'vsn' in req ? req.vsn : 'name' in req ? req.name : '');
    if (req.op === 'name_registered') return atom(this.up ? 'true' : 'false');
    if (!this.up) throw errorOf('NODE_DOWN', this.name);
    if (f?.reply) return f.reply;
    return this.releaseHandler(req);
  }

  async helper(command: 'facts' | 'set-boot' | 'runtime-config', args: string[]): Promise<Term> {
    this.record(`helper:${command}`, args.join(' '));
    if (command === 'runtime-config') {
      // The helper keeps Mix's sys.config aside and writes the evaluated one, unless it fails.
      const dir = `${args[0]}/releases/${args[1]}`;
      if (this.runtimeConfig.kind === 'map' && !this.files.has(`${dir}/sys.config.build`)) {
        this.files.set(`${dir}/sys.config.build`, this.files.get(`${dir}/sys.config`)!);
        this.files.set(`${dir}/sys.config`, 'evaluated');
      }
      return this.runtimeConfig;
    }
    if (command !== 'set-boot') throw new Error(`the fake host has no ${command}`);
    const vsn = args[1]!;
    // set-boot: RELEASES and start_erl.data name VSN, as hotup_helper.escript writes them.
    for (const r of this.releases) if (r.status === 'permanent') r.status = 'old';
    const r = this.releases.find((x) => x.vsn === vsn);
    if (r) r.status = 'permanent';
    else this.releases.push({ vsn, status: 'permanent' });
    this.files.set(startErlDataPath(this.root), `${this.erts} ${vsn}\n`);
    return atom('ok');
  }

  // ---- the simulated machine

  private bootFile(vsn: string): string {
    return `${this.root}/releases/${vsn}/start.boot`;
  }

  /** The VM starts the release start_erl.data names (or VSN); a `current` one is forgotten. */
  private boot(vsn = this.bootsNext): void {
    this.revive = null;
    for (const r of this.releases) if (r.status === 'current') r.status = 'unpacked';
    if (this.crashesAtBoot.has(vsn)) {
      this.up = false;
      return;
    }
    const r = this.releases.find((x) => x.vsn === vsn);
    if (r && r.status !== 'permanent') r.status = 'current';
    this.up = true;
  }

  private releaseHandler(req: NodeRequest): Term {
    const ok = (...rest: Term[]) => (rest.length ? tuple(atom('ok'), ...rest) : atom('ok'));
    switch (req.op) {
      case 'which_releases':
        return { kind: 'list', items: [...this.releases].reverse().map((r) => tuple(bin(this.app), bin(r.vsn), { kind: 'list', items: [] }, atom(r.status))) };
      case 'unpack_release': {
        const [vsn] = req.name.split('/') as [string];
        if (this.releases.some((r) => r.vsn === vsn)) return tuple(atom('error'), tuple(atom('existing_release'), bin(vsn)));
        if (!this.files.has(shippedTarballPath(this.root, vsn, this.app))) return tuple(atom('error'), tuple(atom('enoent'), bin(req.name)));
        this.releases.push({ vsn, status: 'unpacked' });
        this.files.set(this.bootFile(vsn), 'boot');
        // release_handler deletes the tarball it unpacked.
        this.files.delete(shippedTarballPath(this.root, vsn, this.app));
        return ok(bin(vsn));
      }
      case 'remove_release': {
        const r = this.releases.find((x) => x.vsn === req.vsn);
        if (!r) return tuple(atom('error'), tuple(atom('no_such_release'), bin(req.vsn)));
        if (r.status === 'current' || r.status === 'permanent') return tuple(atom('error'), tuple(atom('permanent'), bin(req.vsn)));
        this.releases = this.releases.filter((x) => x !== r);
        // release_handler deletes releases/VSN/ (a tarball shipped there included).
        for (const f of [...this.files.keys()]) if (f.startsWith(`${this.root}/releases/${req.vsn}/`)) this.files.delete(f);
        return atom('ok');
      }
      case 'check_install_release':
        return this.releases.some((r) => r.vsn === req.vsn) && this.running !== req.vsn
          ? ok(bin(this.running ?? ''), { kind: 'list', items: [] })
          : tuple(atom('error'), tuple(atom('no_such_release'), bin(req.vsn)));
      case 'install_release': {
        const r = this.releases.find((x) => x.vsn === req.vsn);
        if (!r) return tuple(atom('error'), tuple(atom('no_such_release'), bin(req.vsn)));
        const from = this.running ?? '';
        for (const x of this.releases) if (x.status === 'current') x.status = 'unpacked';
        if (r.status !== 'permanent') r.status = 'current';
        return ok(bin(from), { kind: 'list', items: [] });
      }
      case 'make_permanent': {
        const r = this.releases.find((x) => x.vsn === req.vsn);
        if (!r) return tuple(atom('error'), tuple(atom('no_such_release'), bin(req.vsn)));
        for (const x of this.releases) if (x.status === 'permanent') x.status = 'old';
        r.status = 'permanent';
        this.files.set(startErlDataPath(this.root), `${this.erts} ${req.vsn}\n`);
        return ok();
      }
      case 'create_releases':
        this.files.set(releasesFilePath(this.root), 'RELEASES');
        return ok();
      case 'boot_status':
        return tuple(atom('started'), atom('started'));
      case 'name_registered':
        return atom('true');
      case 'verify_code': {
        const stale = this.staleCode.get(req.vsn) ?? [];
        return tuple({ kind: 'int', value: 5 }, { kind: 'list', items: stale.map((m) => tuple(atom('stale'), atom(m), bin(`/old/${m}.beam`))) });
      }
      case 'live_facts': {
        // The fake node has no processes of the release: nothing runs, is suspended or is rehearsed.
        const int = (value: number): Term => ({ kind: 'int', value });
        return { kind: 'map', entries: [
          [atom('root'), bin(this.root)], [atom('scanned'), int(0)], [atom('total'), int(0)], [atom('truncated'), atom('false')], [atom('elapsed_ms'), int(0)],
          [atom('modules'), { kind: 'list', items: req.modules.map((m) => tuple(atom(m.module), bin(`${this.root}/lib/${m.module}.beam`), atom('false'), { kind: 'list', items: [] }, { kind: 'list', items: [] })) }],
          [atom('suspended'), { kind: 'list', items: [] }],
        ] };
      }
      case 'eval':
        if (req.expr.includes('application:get_all_env')) return this.appEnv;
        throw new Error(`the fake node evaluates no expressions (${req.expr})`);
    }
  }

  /** Which builder of src/commands made ARGV. */
  private classify(argv: readonly string[]): RunKind {
    const [cmd, flag, script] = argv;
    const same = (built: string[]) => cmd === built[0] && flag === built[1] && (built[0] !== 'sh' || script === built[2]);
    if (same(acquireLockArgv(this.root, ''))) return 'lock';
    if (same(readLockArgv(this.root))) return 'read-lock';
    if (cmd === 'rm' && flag === '-rf') return 'unlock';
    if (same(readJournalArgv(this.root, 1))) return 'read-journal';
    if (same(prepareShipArgv(''))) return 'ship-prepare';
    if (same(commitShipArgv('', '', ''))) return 'ship-commit';
    if (same(promoteScriptArgv(this.root, this.app, ''))) return 'promote';
    if (same(daemonArgv(this.root, this.app))) return 'daemon';
    if (same(renameIfPresentArgv('', ''))) return 'rename-if-present';
    if (same(consolidatedDiffArgv(this.root, '', ''))) return 'consolidated-diff';
    if (cmd === releaseScript(this.root, this.app) && flag === 'stop') return 'stop';
    if (cmd === 'mkdir') return 'mkdir';
    if (cmd === 'mv') return 'mv';
    if (cmd === 'rm') return 'rm';
    if (cmd === 'test') return 'test';
    if (cmd === 'tar') return 'extract';
    if (cmd === 'sh' && flag === '-c' && argv.length === 3) return 'shell';
    if (cmd === 'sudo' && argv[2] === '-l') return 'sudo-check';
    const plain = cmd === 'sudo' ? argv.slice(2) : argv;
    if (plain[0] === 'systemctl' && plain[1] === 'restart') return 'systemctl-restart';
    if (plain[0] === 'systemctl' && plain[1] === 'show') return 'systemctl-show';
    if (plain[0] === 'journalctl') return 'journalctl';
    if (same(diskUsageArgv([]))) return 'du';
    throw new Error(`the fake host does not know ${JSON.stringify(argv)}`);
  }

  private answer(kind: RunKind, argv: readonly string[]): RunResult {
    const done = (stdout = '', code = 0): RunResult => ({ code, stdout, stderr: '' });
    const holder = `${lockDir(this.root)}/holder.json`;
    switch (kind) {
      case 'lock':
        if (this.files.has(holder)) return done('', LOCK_HELD);
        this.files.set(holder, argv[5]!);
        return done();
      case 'read-lock':
        return this.files.has(holder) ? done(this.files.get(holder)) : done('', LOCK_HELD);
      case 'unlock':
        this.files.delete(holder);
        return done();
      case 'read-journal':
        return done(this.files.get(argv[4]!) ?? '');
      case 'ship-prepare': {
        const content = this.files.get(argv[4]!);
        return content === undefined ? done('', SHIP_EXIT.missing) : done(`${content.replace(/^sha256:/, '')}  ${argv[4]}\n`);
      }
      case 'ship-commit': {
        const [temp, final, want] = [argv[4]!, argv[5]!, argv[6]!];
        const got = this.files.get(temp)?.replace(/^sha256:/, '');
        if (got !== want) {
          this.files.delete(temp);
          return { code: SHIP_EXIT.mismatch, stdout: '', stderr: got ?? 'missing' };
        }
        this.files.set(final, this.files.get(temp)!);
        this.files.delete(temp);
        return done();
      }
      case 'consolidated-diff':
        return done(this.protocolsDiffer.map((n) => `${n}\n`).join(''));
      case 'rename-if-present':
        if (!this.files.has(argv[4]!)) return done();
        this.files.set(argv[5]!, this.files.get(argv[4]!)!);
        this.files.delete(argv[4]!);
        return done();
      case 'mv':
        this.files.set(argv[3]!, this.files.get(argv[2]!)!);
        this.files.delete(argv[2]!);
        return done();
      case 'rm':
        this.files.delete(argv[2]!);
        return done();
      case 'test':
        return done('', this.files.has(argv[2]!) ? 0 : 1);
      case 'stop':
        this.up = false;
        this.revive = null;
        return done();
      case 'daemon':
        if (!this.up) this.boot();
        return done();
      case 'extract': {
        // A shipped tarball unpacked by hand: the release's files are there, RELEASES learns of it at set-boot.
        const vsn = argv[2]!.slice(`${this.root}/releases/`.length).split('/')[0]!;
        this.files.set(this.bootFile(vsn), 'boot');
        return done();
      }
      case 'shell':
        // A restart command restarts; any other is the health check, healthy when the node runs a healthy release.
        if (argv[2] === RESTART_COMMAND) {
          this.up = false;
          this.boot();
          return done();
        }
        return done('', this.up && this.running !== null && !this.unhealthy.has(this.running) ? 0 : 1);
      case 'sudo-check':
        return this.sudoAllowed ? done() : { code: 1, stdout: '', stderr: 'sudo: a password is required\n' };
      case 'systemctl-restart':
        if (argv[0] === 'sudo' && !this.sudoAllowed) return { code: 1, stdout: '', stderr: 'sudo: a password is required\n' };
        this.up = false;
        this.boot();
        this.unitActive = this.up ? 'active' : 'failed';
        return done();
      case 'systemctl-show':
        return done(`ActiveState=${this.unitActive}\nSubState=${this.unitActive === 'active' ? 'running' : 'failed'}\nMainPID=${this.up ? 4242 : 0}\n`);
      case 'journalctl':
        return done(`shop[4242]: boot of ${this.bootsNext} crashed\n`);
      case 'du':
        // One `<kB>\t<path>` line per path, as the builder's script prints them: 1 kB per file under it.
        return done(argv.slice(4).map((p) => `${[...this.files.keys()].filter((f) => f.startsWith(`${p}/`)).length}\t${p}\n`).join(''));
      case 'mkdir':
      case 'promote':
        return done();
    }
  }
}

/** The restart_command the fake host recognizes (see `answer`). */
export const RESTART_COMMAND = 'fake-restart';

function linkLost(host: string): HotupError {
  return new HotupError('LINK_LOST', `the connection to ${host} was lost`, 'Check the network.', { host });
}

function errorOf(code: ErrorCode, host: string): HotupError {
  if (code === 'LINK_LOST') return linkLost(host);
  if (code === 'NODE_DOWN') return new HotupError('NODE_DOWN', 'the node is not running', 'Start it.', { host });
  return new HotupError(code, `simulated ${code}`, 'This is a simulated fault.', { host });
}

/** A command context whose hosts are FAKES (by name), recording every event. */
export function fakeContext(fakes: FakeHost[], env: Partial<EnvironmentConfig> = {}): { ctx: CoreContext; events: HotupEvent[]; env: EnvironmentConfig } {
  const ssh = { knownHosts: '/dev/null', connectTimeoutMs: 1_000, commandTimeoutMs: 1_000 };
  const environment: EnvironmentConfig = {
    name: 'prod',
    hosts: fakes.map((f) => ({ raw: f.name, user: 'deploy', host: f.name, port: 22 })),
    deployTo: '/srv/shop',
    ssh,
    env: {},
    nodeWaitMs: 50,
    ...env,
  };
  const config: Config = {
    file: '/project/hotup.yml',
    root: '/project',
    app: 'shop',
    build: { host: 'local', tool: 'rebar3', path: '/project', profile: 'prod', ssh, task: 'release', appups: 'generate' },
    environments: { prod: environment },
    hooks: {},
  };
  const events: HotupEvent[] = [];
  const byName = new Map(fakes.map((f) => [f.name, f]));
  const ctx: CoreContext = {
    config,
    pool: new ExecutorPool(),
    emit: (e) => events.push(e),
    host: async (_env, spec) => byName.get(spec.raw)!,
  };
  return { ctx, events, env: environment };
}

let tarball: LocalTarball | undefined;

/** A small file standing in for the release tarball, written once. */
export function fakeTarball(): LocalTarball {
  if (!tarball) {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hotup-fake-')), 'shop-0.2.0.tar.gz');
    writeFileSync(file, 'not really a tarball');
    tarball = { path: file, sha256: createHash('sha256').update(readFileSync(file)).digest('hex'), bytes: statSync(file).size };
  }
  return tarball;
}

/** The plan `hotup plan` would make for FAKES going FROM → TO (tarball shipped unless it is a downgrade). */
export function fakePlan(fakes: FakeHost[], from: string, to: string, o: { action?: HostAction; hotRollback?: boolean; ship?: boolean } = {}): UpgradePlan {
  return {
    schema: PLAN_SCHEMA,
    app: 'shop',
    environment: 'prod',
    deployTo: '/srv/shop',
    target: { vsn: to, tarball: o.ship === false ? null : fakeTarball() },
    hosts: fakes.map((f) => ({
      host: f.name,
      from: f.running ?? from,
      to,
      action: f.running === to ? 'noop' : o.action ?? 'hot',
      reasons: [],
      instructions: [],
      hotRollback: o.hotRollback ?? true,
      warnings: [],
    })),
  };
}

/** Step events of one host as `step:phase`, in order. */
export function stepsOf(events: HotupEvent[], host: string): string[] {
  return events.flatMap((e) => (e.type === 'step' && e.host === host ? [`${e.step}:${e.phase}`] : []));
}
