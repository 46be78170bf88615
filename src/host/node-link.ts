/**
 * How a Host reaches its release's live node, and the release's files where
 * they are (read, decoded, appended to) without a command per file. The session link keeps one helper process on the host
 * for the whole command; a test can script one.
 */
import type { Term } from '../terms/etf.js';
import type { NodeRequest } from './protocol.js';

export interface NodeLink {
  /** True when the node answers; LINK_LOST when the host itself cannot be reached. */
  up(): Promise<boolean>;
  /** See Host.call: NODE_DOWN, LINK_LOST or CALL_FAILED on failure. */
  call(req: NodeRequest, timeoutMs: number): Promise<Term>;
  /** A file's text on the host, or null when it does not exist; the node need not run. */
  read(path: string): Promise<string | null>;
  /** The terms of an Erlang term file on the host, or null when it does not exist; the node need not run. */
  consult(path: string): Promise<Term[] | null>;
  /** Appends TEXT to a file on the host (created when missing). */
  append(path: string, text: string): Promise<void>;
  close(): Promise<void>;
}
