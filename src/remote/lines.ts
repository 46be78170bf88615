/** Splits a byte stream into lines for Process.onLine, and keeps the tail of stderr for reports. */

/** CSI sequences (colours, cursor moves) and OSC sequences (titles, links), as build tools write them on a TTY or when told to. */
const ANSI = /\u001b\[[0-?]*[ -\/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** TEXT without terminal escapes: what a log, a JSON document or a non-terminal should hold. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export class LineSplitter {
  private buf = '';
  private readonly listeners: Array<(line: string) => void> = [];
  private readonly pending: string[] = [];

  readonly push = (chunk: Buffer): void => {
    this.buf += chunk.toString('utf8');
    for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      // Lines that arrive before anyone listens are kept for the first listener.
      if (this.listeners.length === 0) this.pending.push(line);
      else for (const l of this.listeners) l(line);
    }
  };

  listen(listener: (line: string) => void): void {
    this.listeners.push(listener);
    for (const line of this.pending.splice(0)) listener(line);
  }

  /** The stream ended: a last line without a newline is still a line. */
  end(): void {
    if (this.buf) this.push(Buffer.from('\n'));
  }
}

const STDERR_TAIL = 4000;

export class StderrTail {
  private text = '';
  readonly push = (chunk: Buffer): void => {
    this.text = (this.text + chunk.toString('utf8')).slice(-STDERR_TAIL);
  };
  get value(): string {
    return this.text;
  }
}
