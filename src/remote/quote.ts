/**
 * The one shell-quoting function. Every argv that crosses into a shell (an
 * SSH exec request is a command line for the remote user's shell) is quoted
 * here, exactly once.
 */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quoteOne(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  // Inside single quotes nothing is special but the quote itself: close, escape it, reopen.
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellQuote(argv: readonly string[]): string {
  return argv.map(quoteOne).join(' ');
}

export interface CommandLineOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/** A whole command line for a POSIX shell: `cd -- DIR && env K=V … argv`, every part quoted by `shellQuote`. */
export function commandLine(argv: readonly string[], options: CommandLineOptions = {}): string {
  const env = Object.entries(options.env ?? {}).map(([name, value]) => {
    // `env` would take a malformed name for the command to run.
    if (!ENV_NAME.test(name)) throw new Error(`not an environment variable name: ${JSON.stringify(name)}`);
    return `${name}=${value}`;
  });
  const cmd = shellQuote(env.length > 0 ? ['env', ...env, ...argv] : argv);
  return options.cwd === undefined ? cmd : `cd -- ${shellQuote([options.cwd])} && ${cmd}`;
}
