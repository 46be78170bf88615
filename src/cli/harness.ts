/** The shared frame of every command: options, config, connections, reporter, exit code. */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { humanReporter, jsonLinesReporter, jsonReporter, type Reporter } from '../report/reporter.js';
import { openContext, type CoreContext } from '../core/context.js';
import { exitCodeFor } from './exit-codes.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  jsonLines?: boolean;
}

export interface CommandFrame extends CoreContext {
  reporter: Reporter;
}

/** Runs BODY with a loaded config and open connections; always closes them; sets the exit code. */
export async function withFrame(opts: GlobalOptions, body: (frame: CommandFrame) => Promise<void>): Promise<void> {
  const reporter = opts.jsonLines ? jsonLinesReporter() : opts.json ? jsonReporter() : humanReporter();
  let ctx: ReturnType<typeof openContext> | undefined;
  try {
    const config: Config = await loadConfig({ cwd: process.cwd(), ...(opts.config ? { configPath: opts.config } : {}) });
    ctx = openContext(config, reporter.emit);
    await body({ ...ctx, reporter });
  } catch (e) {
    reporter.error(e);
    process.exitCode = exitCodeFor(e);
  } finally {
    await ctx?.close();
  }
}
