/** The shared frame of every command: options, config, connections, reporter, exit code. */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { ExecutorPool } from '../remote/connect.js';
import { humanReporter, jsonLinesReporter, jsonReporter, type Reporter } from '../report/reporter.js';
import type { CoreContext } from '../core/context.js';
import { exitCodeFor } from './exit-codes.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  jsonLines?: boolean;
}

export interface CommandFrame extends CoreContext {
  reporter: Reporter;
}

/** Runs BODY with a loaded config and open pool; always closes connections; sets the exit code. */
export async function withFrame(opts: GlobalOptions, body: (frame: CommandFrame) => Promise<void>): Promise<void> {
  const reporter = opts.jsonLines ? jsonLinesReporter() : opts.json ? jsonReporter() : humanReporter();
  const pool = new ExecutorPool();
  try {
    const config: Config = await loadConfig({ cwd: process.cwd(), ...(opts.config ? { configPath: opts.config } : {}) });
    await body({ config, pool, emit: reporter.emit, reporter });
  } catch (e) {
    reporter.error(e);
    process.exitCode = exitCodeFor(e);
  } finally {
    await pool.closeAll();
  }
}
