/** Colour only for a terminal that wants it (NO_COLOR honoured). */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

function wrap(on: boolean, code: number): (s: string) => string {
  return on ? (s) => `\u001b[${code}m${s}\u001b[0m` : (s) => s;
}

export function makeStyle(stream: NodeJS.WriteStream): Style {
  const on = Boolean(stream.isTTY) && !('NO_COLOR' in process.env);
  return { bold: wrap(on, 1), dim: wrap(on, 2), red: wrap(on, 31), green: wrap(on, 32), yellow: wrap(on, 33), cyan: wrap(on, 36) };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
