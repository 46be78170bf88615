import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { withFrame, type GlobalOptions } from './harness.js';

export function register(program: Command): void {
  program
    .command('status')
    .description(descriptionOf('status'))
    .argument('<env>', 'environment from hotup.yml')
    .option('--json', 'print one JSON document on stdout')
    .action(async (env: string, opts: GlobalOptions) => {
      await withFrame({ ...program.opts<GlobalOptions>(), ...opts }, async (f) => {
        const { status } = await import('../core/status.js');
        const hosts = await status(f, env);
        f.reporter.result({ schema: 'hotup.status/1', environment: env, hosts }, null);
      });
    });
}
