import type { Command } from 'commander';
import { withFrame, type GlobalOptions } from './harness.js';
import { confirm } from './confirm.js';
import { seconds } from '../report/style.js';

interface DowngradeOptions extends GlobalOptions {
  yes?: boolean;
  to?: string;
}

export function register(program: Command): void {
  program
    .command('downgrade')
    .description('go back to the previous (or --to) installed release: hot through the relup down-path, else by restart')
    .argument('<env>', 'environment from hotup.yml')
    .option('--to <vsn>', 'the installed release to go back to (default: the newest one older than what runs)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print one JSON document on stdout')
    .action(async (env: string, opts: DowngradeOptions) => {
      await withFrame({ ...program.opts<GlobalOptions>(), ...opts }, async (f) => {
        const { planDowngrade } = await import('../core/downgrade.js');
        const { apply } = await import('../core/apply.js');
        const p = await planDowngrade(f, env, opts.to);
        if (p.hosts.some((h) => h.action !== 'noop')) await confirm(`Downgrade ${env}?`, Boolean(opts.yes));
        const result = await apply(f, p, {});
        const lines = result.hosts.map((h) =>
          `${h.host}: ${h.from ?? '?'} → ${h.to} ${h.outcome} (${h.execution})${h.downtimeMs !== undefined ? `, downtime ${seconds(h.downtimeMs)}` : ''}`);
        f.reporter.result({ schema: 'hotup.downgrade/1', ok: true, ...result }, lines.join('\n'));
      });
    });
}
