/**
 * The Host over an SSH (or local) Executor and a NodeLink: the one place where
 * a transport failure becomes a domain error. A connection that is gone is
 * LINK_LOST from every method, whatever the method was doing.
 */
import { HotupError, isHotupError } from '../errors.js';
import type { Executor, RunOptions, RunResult, UploadProgress } from '../remote/executor.js';
import type { Term } from '../terms/etf.js';
import { parseStartErlData } from '../terms/start-erl.js';
import { hostHelperDir } from '../commands/helper.js';
import { startErlDataPath } from '../commands/release-paths.js';
import { hostEscript, uploadHelper } from '../helper/on-host.js';
import { runHelper } from '../helper/run.js';
import type { Host, MustOptions } from './host.js';
import type { NodeLink } from './node-link.js';
import type { NodeRequest } from './protocol.js';
import { readRemoteFile } from './remote-file.js';

/** SshExecutor's errors once its connection dropped under a command or before one. */
function connectionGone(e: unknown): e is HotupError {
  return isHotupError(e) && e.code === 'SSH_CONNECT' && /was lost|ended without an exit status/.test(e.message);
}

/** A gone connection as LINK_LOST; anything else unchanged. */
function asLinkLost(e: unknown, host: string): unknown {
  if (!connectionGone(e)) return e;
  return new HotupError('LINK_LOST', e.message,
    'The node may be fine: check the network and the host, run `hotup status`, then run hotup again; the step that was running may need to be checked by hand.',
    { host, cause: e });
}

const HELPER_TIMEOUT_MS = 5 * 60_000;
const CALL_TIMEOUT_MS = 120_000;

export interface RemoteHostSite {
  name: string;
  root: string;
  app: string;
  env: Record<string, string>;
}

export class RemoteHost implements Host {
  readonly name: string;
  readonly root: string;
  readonly app: string;
  readonly env: Record<string, string>;
  /** The helper's files go up once per host per command. */
  private helperUploaded: Promise<void> | undefined;

  constructor(private readonly exec: Executor, private readonly link: NodeLink, site: RemoteHostSite) {
    this.name = site.name;
    this.root = site.root;
    this.app = site.app;
    this.env = site.env;
  }

  private async transport<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      throw asLinkLost(e, this.name);
    }
  }

  read(path: string): Promise<string | null> {
    return this.transport(() => readRemoteFile(this.exec, path));
  }

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.transport(() => this.exec.run(argv, opts));
  }

  async must(argv: readonly string[], what: string, opts: MustOptions = {}): Promise<RunResult> {
    const { remedy, ...runOpts } = opts;
    const r = await this.run(argv, runOpts);
    if (r.code !== 0) {
      throw new HotupError('COMMAND_FAILED', `${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 400)}`,
        remedy ?? 'Run it by hand on the host to see why.', { host: this.name });
    }
    return r;
  }

  put(localPath: string, remotePath: string, onProgress?: (p: UploadProgress) => void): Promise<void> {
    return this.transport(() => this.exec.upload(localPath, remotePath, onProgress));
  }

  get(remotePath: string, localPath: string): Promise<void> {
    return this.transport(() => this.exec.download(remotePath, localPath));
  }

  nodeUp(): Promise<boolean> {
    return this.transport(() => this.link.up());
  }

  call(req: NodeRequest, timeoutMs = CALL_TIMEOUT_MS): Promise<Term> {
    return this.transport(() => this.link.call(req, timeoutMs));
  }

  helper(command: 'facts' | 'set-boot', args: string[], timeoutMs = HELPER_TIMEOUT_MS): Promise<Term> {
    return this.transport(async () => {
      const dir = hostHelperDir(this.root);
      this.helperUploaded ??= uploadHelper(this.exec, dir).catch((e: unknown) => {
        this.helperUploaded = undefined;
        throw e;
      });
      await this.helperUploaded;
      // The ERTS of the release that boots now: set-boot may be about to change it.
      const path = startErlDataPath(this.root);
      const text = await readRemoteFile(this.exec, path);
      if (text === null) throw new HotupError('NOT_A_RELEASE', `${path} is missing`, 'Check deploy_to.', { host: this.name });
      const escript = await hostEscript(this.exec, this.root, parseStartErlData(text, path).erts);
      return runHelper(this.exec, dir, command, args, { escript, timeoutMs });
    });
  }

  close(): Promise<void> {
    return this.link.close();
  }
}
