import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { withTarget, type GlobalOptions, type TargetOptions } from './harness.js';
import { targeted } from './target.js';
import { confirm } from './confirm.js';

interface DowngradeOptions extends TargetOptions {
  yes?: boolean;
  to?: string;
}

export function register(program: Command): void {
  targeted(program.command('downgrade').description(descriptionOf('downgrade')))
    .option('--to <vsn>', 'the installed release to go back to (default: the newest one older than what runs)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print one JSON document on stdout')
    .option('--json-lines', 'print every event as a JSON line on stdout, the result last')
    .action(async (envArg: string | undefined, opts: DowngradeOptions) => {
      await withTarget({ ...program.opts<GlobalOptions>(), ...opts }, envArg, async (f, env) => {
        const { runDowngrade } = await import('../core/deploy.js');
        const result = await runDowngrade(f, env, opts.to ? { to: opts.to } : {}, (question) => confirm(question, Boolean(opts.yes)));
        f.reporter.result({ schema: 'hotup.downgrade/1', ok: true, ...result }, null);
      });
    });
}
