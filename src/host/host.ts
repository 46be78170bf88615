/**
 * The Host façade: everything hotup does on one production host for the
 * length of one command, over one SSH connection and one session helper.
 * Transport failures become domain errors here and nowhere else:
 *   LINK_LOST  the SSH link to the host is gone (the node may be fine)
 *   NODE_DOWN  the host answers, the release's node does not
 *   CALL_FAILED the node answered, the call itself failed (crash, timeout)
 * Core code and node operations see only this interface, so a fake host can
 * stand in for a real one in tests.
 */
import type { RunOptions, RunResult, UploadProgress } from '../remote/executor.js';
import type { Term } from '../terms/etf.js';
import type { NodeRequest } from './protocol.js';

export interface MustOptions extends RunOptions {
  /** What the user should do when it fails; a generic remedy otherwise. */
  remedy?: string;
}

export interface Host {
  /** The host as hotup.yml names it (`user@host:port`); plans, events and journals use this. */
  readonly name: string;
  /** The release root on the host: bin/, lib/, releases/. */
  readonly root: string;
  readonly app: string;
  /** Variables the release's scripts need on this host (from hotup.yml). */
  readonly env: Record<string, string>;

  /** A file's text, or null when it does not exist. */
  read(path: string): Promise<string | null>;
  /** Appends TEXT to a file (created when missing); one short write does not interleave with another writer's. */
  append(path: string, text: string): Promise<void>;
  /** Runs argv on the host; resolves with any exit code. */
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Runs argv; a non-zero exit is a COMMAND_FAILED naming WHAT. */
  must(argv: readonly string[], what: string, opts?: MustOptions): Promise<RunResult>;
  /** The terms of an Erlang term file on the host (RELEASES, a .rel, a relup), decoded there; null when it does not exist. */
  terms(path: string): Promise<Term[] | null>;
  /** Copies a local file to REMOTE as is (callers pick temp names; see host/ship.ts). */
  put(localPath: string, remotePath: string, onProgress?: (p: UploadProgress) => void): Promise<void>;
  /** Copies a host file to a local path. */
  get(remotePath: string, localPath: string): Promise<void>;

  /** True when the release's node answers. Never throws NODE_DOWN; LINK_LOST when the host is unreachable. */
  nodeUp(): Promise<boolean>;
  /**
   * The node's answer to REQ, as a typed term (an exception inside the call
   * comes back as `{'EXIT', Reason}` for eval). Throws NODE_DOWN, LINK_LOST
   * or CALL_FAILED as above.
   */
  call(req: NodeRequest, timeoutMs?: number): Promise<Term>;
  /** Runs a command of erlang-helpers/hotup_helper.escript on the host with the release's ERTS and the host's `env` (`facts`, `set-boot`, `runtime-config`). */
  helper(command: 'facts' | 'set-boot' | 'runtime-config', args: string[], timeoutMs?: number): Promise<Term>;
}
