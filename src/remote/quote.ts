/**
 * The one shell-quoting function. Every argv that crosses into a shell (an
 * SSH exec request is a command line for the remote user's shell) is quoted
 * here, exactly once.
 */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

function quoteOne(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  // Inside single quotes nothing is special but the quote itself: close, escape it, reopen.
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellQuote(argv: readonly string[]): string {
  return argv.map(quoteOne).join(' ');
}
