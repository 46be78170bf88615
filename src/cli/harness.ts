/**
 * The shared frame of every command: options, config, connections, reporter, exit code.
 * What it needs is imported when a command runs, not when it is registered:
 * config (zod, yaml) and connections (ssh2) would make `hotup --help` slow.
 */
import type { Config } from '../config/types.js';
import type { CoreContext } from '../core/context.js';
import type { Reporter } from '../report/reporter.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  jsonLines?: boolean;
}

export interface CommandFrame extends CoreContext {
  reporter: Reporter;
}

/** Runs BODY with a loaded config (as NARROW leaves it) and open connections; always closes them; sets the exit code. */
export async function withFrame(opts: GlobalOptions, body: (frame: CommandFrame) => Promise<void>, narrow: (config: Config) => Config = (c) => c): Promise<void> {
  const [{ loadConfig }, { openContext }, { humanReporter, jsonLinesReporter, jsonReporter }, { exitCodeFor }] = await Promise.all([
    import('../config/load.js'), import('../core/context.js'), import('../report/reporter.js'), import('../report/exit-codes.js'),
  ]);
  const reporter = opts.jsonLines ? jsonLinesReporter() : opts.json ? jsonReporter() : humanReporter();
  let ctx: (CoreContext & { close(): Promise<void> }) | undefined;
  try {
    const config = narrow(await loadConfig({ cwd: process.cwd(), ...(opts.config ? { configPath: opts.config } : {}) }));
    ctx = openContext(config, reporter.emit);
    await body({ ...ctx, reporter });
  } catch (e) {
    reporter.error(e);
    process.exitCode = exitCodeFor(e);
  } finally {
    await ctx?.close();
  }
}

export interface TargetOptions extends GlobalOptions {
  /** --host, repeatable: only these hosts of the environment. */
  host?: string[];
}

/**
 * withFrame for a command that acts on the hosts of one environment: ENV_ARG or the only one,
 * narrowed to the --host names (src/config/select.ts); BODY gets the environment's name.
 */
export async function withTarget(opts: TargetOptions, envArg: string | undefined, body: (frame: CommandFrame, env: string) => Promise<void>): Promise<void> {
  const { selectTarget } = await import('../config/select.js');
  let env = '';
  await withFrame(opts, (f) => body(f, env), (config) => {
    const target = selectTarget(config, envArg, opts.host ?? []);
    env = target.env;
    return target.config;
  });
}
