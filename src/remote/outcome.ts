/** How a finished or abandoned command is reported, the same for local and remote runs. */
import { constants } from 'node:os';
import { HotupError } from '../errors.js';
import type { RunResult } from './executor.js';
import { LineSplitter, stripAnsi } from './lines.js';
import { shellQuote } from './quote.js';

/** A signal N becomes 128 + N, as a shell reports it, so callers see one kind of number. */
export function exitCode(code: number | null, signal: string | null): number {
  const signo = signal === null ? undefined : constants.signals[signal as keyof typeof constants.signals];
  return code ?? (signo === undefined ? -1 : 128 + signo);
}

/** Collects a command's output as it streams in, and passes each line on to ONLINE when given. */
export class Output {
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private readonly lines: LineSplitter[] = [];
  readonly stdout: (chunk: Buffer) => void;
  readonly stderr: (chunk: Buffer) => void;

  constructor(onLine?: (line: string) => void) {
    const collect = (into: Buffer[]) => {
      if (!onLine) return (chunk: Buffer): void => void into.push(chunk);
      const split = new LineSplitter();
      split.listen((l) => onLine(stripAnsi(l).replace(/\r$/, '')));
      this.lines.push(split);
      return (chunk: Buffer): void => {
        into.push(chunk);
        split.push(chunk);
      };
    };
    this.stdout = collect(this.out);
    this.stderr = collect(this.err);
  }

  result(code: number | null, signal: string | null): RunResult {
    for (const split of this.lines) split.end();
    return {
      code: exitCode(code, signal),
      // Decoded once at the end: a multi-byte character may straddle two chunks.
      stdout: Buffer.concat(this.out).toString('utf8'),
      stderr: Buffer.concat(this.err).toString('utf8'),
    };
  }
}

/** The last LINES non-blank lines of a command's output, as an error message quotes them. */
export function outputTail(r: RunResult, lines = 25): string {
  return stripAnsi(`${r.stdout}\n${r.stderr}`).split(/\r?\n/).filter((l) => l.trim() !== '').slice(-lines).join('\n');
}

export function commandTimedOut(argv: readonly string[], timeoutMs: number, host: string): HotupError {
  return new HotupError('COMMAND_TIMEOUT', `\`${shellQuote(argv)}\` did not finish within ${timeoutMs / 1000} s and was stopped`,
    host === 'local' ? 'Run the command by hand to see why it hangs.' : 'Run the command by hand on the host to see why it hangs.',
    { host });
}

/** A failed copy; `from` and `to` are named as the caller gave them (local or remote paths). */
export function transferFailed(kind: 'upload' | 'download', from: string, to: string, host: string, err: Error): HotupError {
  return new HotupError(kind === 'upload' ? 'UPLOAD_FAILED' : 'COMMAND_FAILED', `${kind} of ${from} to ${to} failed: ${err.message}`,
    'Check that the source exists, that the target directory exists and is writable, and that the disk has room.', { host });
}
