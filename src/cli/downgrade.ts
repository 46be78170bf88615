import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { withFrame, type GlobalOptions } from './harness.js';
import { confirm } from './confirm.js';

interface DowngradeOptions extends GlobalOptions {
  yes?: boolean;
  to?: string;
}

export function register(program: Command): void {
  program
    .command('downgrade')
    .description(descriptionOf('downgrade'))
    .argument('<env>', 'environment from hotup.yml')
    .option('--to <vsn>', 'the installed release to go back to (default: the newest one older than what runs)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print one JSON document on stdout')
    .option('--json-lines', 'print every event as a JSON line on stdout, the result last')
    .action(async (env: string, opts: DowngradeOptions) => {
      await withFrame({ ...program.opts<GlobalOptions>(), ...opts }, async (f) => {
        const { runDowngrade } = await import('../core/deploy.js');
        const result = await runDowngrade(f, env, opts.to ? { to: opts.to } : {}, (question) => confirm(question, Boolean(opts.yes)));
        f.reporter.result({ schema: 'hotup.downgrade/1', ok: true, ...result }, null);
      });
    });
}
