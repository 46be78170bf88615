/**
 * The one seam through which hotup touches a machine. Builders produce argv
 * arrays; only an Executor turns them into something that runs, quoting them
 * (for a remote shell) exactly once with `shellQuote`.
 */
export interface RunOptions {
  /** Milliseconds before the command is abandoned with COMMAND_TIMEOUT. */
  timeoutMs?: number;
  /** Bytes or text written to the command's stdin, then closed. */
  stdin?: string | Buffer;
  /** Working directory on the target machine. */
  cwd?: string;
  /** Extra environment for this command only. */
  env?: Record<string, string>;
  /** Each line of stdout and stderr as it arrives (ANSI escapes removed), for output a person watches. */
  onLine?: (line: string) => void;
  /** Output a person watches (a build): an Executor made by `watching` passes its lines to its watcher. */
  watch?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface UploadProgress {
  transferred: number;
  total: number;
}

/** A long-running command: lines in on stdin, lines out on stdout, for as long as both sides want. */
export interface Process {
  /** Writes to the command's stdin. */
  write(text: string): void;
  /** Each complete line of stdout (without its newline), in order. */
  onLine(listener: (line: string) => void): void;
  /**
   * Resolves when the command is gone: its exit code and the tail of its
   * stderr, or `lost` when the link to the machine dropped under it.
   */
  readonly ended: Promise<{ code: number; stderr: string; lost?: Error }>;
  /** Closes stdin and stops the command. */
  close(): void;
}

export interface Executor {
  /** `local` or `user@host:port`, as shown to the user. */
  readonly target: string;
  /** Run argv; resolves with any exit code, rejects only when it could not run or timed out. */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Start ARGV and keep it running: see Process. */
  spawn(argv: readonly string[], options?: Pick<RunOptions, 'cwd' | 'env'>): Promise<Process>;
  /** Copy a local file to `remotePath` (written as is; callers choose temp names). */
  upload(localPath: string, remotePath: string, onProgress?: (p: UploadProgress) => void): Promise<void>;
  /** Copy a remote file to a local path. */
  download(remotePath: string, localPath: string): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** EXEC, with the lines of every run marked `watch` passed to ONLINE as they arrive. */
export function watching(exec: Executor, onLine: (line: string) => void): Executor {
  return {
    get target() {
      return exec.target;
    },
    run: (argv, options = {}) => exec.run(argv, options.watch ? { ...options, onLine } : options),
    spawn: (argv, options) => exec.spawn(argv, options),
    upload: (from, to, onProgress) => exec.upload(from, to, onProgress),
    download: (from, to) => exec.download(from, to),
    close: () => exec.close(),
  };
}
