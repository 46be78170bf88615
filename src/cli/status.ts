import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { withTarget, type GlobalOptions, type TargetOptions } from './harness.js';
import { targeted } from './target.js';

export function register(program: Command): void {
  targeted(program.command('status').description(descriptionOf('status')))
    .option('--json', 'print one JSON document on stdout')
    .action(async (envArg: string | undefined, opts: TargetOptions) => {
      await withTarget({ ...program.opts<GlobalOptions>(), ...opts }, envArg, async (f, env) => {
        const { status } = await import('../core/status.js');
        const hosts = await status(f, env);
        f.reporter.result({ schema: 'hotup.status/1', environment: env, hosts }, null);
      });
    });
}
