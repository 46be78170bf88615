/**
 * The Host over an SSH (or local) Executor and a NodeLink. A connection that
 * is gone is LINK_LOST from every method, as the executor and the session
 * report it, whatever the method was doing.
 */
import { HotupError } from '../errors.js';
import type { Executor, RunOptions, RunResult, UploadProgress } from '../remote/executor.js';
import type { Term } from '../terms/etf.js';
import { hostHelperArgv } from '../commands/session.js';
import { HelperNotInstalled, runHelperArgv } from '../helper/run.js';
import { helpersDigest, installHelpers } from './helpers-install.js';
import type { Host, MustOptions } from './host.js';
import type { NodeLink } from './node-link.js';
import type { NodeRequest } from './protocol.js';

const HELPER_TIMEOUT_MS = 5 * 60_000;
const CALL_TIMEOUT_MS = 120_000;

/** Where a host's release lives, as hotup.yml says: what a Host and its NodeLink are made for. */
export interface HostSite {
  /** As hotup.yml names the host. */
  name: string;
  root: string;
  app: string;
  /** Variables the release's scripts need on this host. */
  env: Record<string, string>;
}

export class RemoteHost implements Host {
  readonly name: string;
  readonly root: string;
  readonly app: string;
  readonly env: Record<string, string>;
  constructor(private readonly exec: Executor, private readonly link: NodeLink, site: HostSite) {
    this.name = site.name;
    this.root = site.root;
    this.app = site.app;
    this.env = site.env;
  }

  read(path: string): Promise<string | null> {
    return this.link.read(path);
  }

  append(path: string, text: string): Promise<void> {
    return this.link.append(path, text);
  }

  terms(path: string): Promise<Term[] | null> {
    return this.link.consult(path);
  }

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.exec.run(argv, opts);
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
    return this.exec.upload(localPath, remotePath, onProgress);
  }

  get(remotePath: string, localPath: string): Promise<void> {
    return this.exec.download(remotePath, localPath);
  }

  nodeUp(): Promise<boolean> {
    return this.link.up();
  }

  call(req: NodeRequest, timeoutMs = CALL_TIMEOUT_MS): Promise<Term> {
    return this.link.call(req, timeoutMs);
  }

  /** The helper runs as the session does (the release's ERTS and boot file); its files are installed once, when missing. */
  async helper(command: 'facts' | 'set-boot' | 'runtime-config', args: string[], timeoutMs = HELPER_TIMEOUT_MS): Promise<Term> {
    const argv = hostHelperArgv(this.root, this.app, helpersDigest(), command, args);
    // runtime-config evaluates release ARGS[1] in the environment its own env.sh makes.
    const env = command === 'runtime-config' ? { ...this.env, HOTUP_RELEASE_VSN: args[1]! } : this.env;
    const once = () => runHelperArgv(this.exec, argv, command, { timeoutMs, env });
    try {
      return await once();
    } catch (e) {
      if (!(e instanceof HelperNotInstalled)) throw e;
      await installHelpers(this.exec, this.root);
      return once();
    }
  }

  close(): Promise<void> {
    return this.link.close();
  }
}
