import type { Command } from 'commander';
import { withFrame, type GlobalOptions } from './harness.js';
import { confirm } from './confirm.js';
import { seconds } from '../report/style.js';

interface ApplyOptions extends GlobalOptions {
  yes?: boolean;
  restart?: boolean;
  force?: boolean;
}

export function register(program: Command): void {
  program
    .command('apply')
    .description('plan, then upgrade every host: ship, unpack, install, make permanent, verify, health-check; roll back on failure')
    .argument('<env>', 'environment from hotup.yml')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--restart', 'restart into the new release instead of a hot upgrade (also where findings rule hot out)')
    .option('--force', 'go ahead despite error findings (hot where an up-path exists)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (env: string, opts: ApplyOptions) => {
      await withFrame({ ...program.opts<GlobalOptions>(), ...opts }, async (f) => {
        const { plan } = await import('../core/plan.js');
        const { apply, executions } = await import('../core/apply.js');
        const choices = { restart: Boolean(opts.restart), force: Boolean(opts.force) };
        const p = await plan(f, env);
        const how = executions(p, choices);
        if (how.some((h) => h !== 'noop')) {
          const summary = p.hosts.map((h, i) => `${h.host}: ${how[i]}`).join(', ');
          await confirm(`Apply this plan to ${env} (${summary})?`, Boolean(opts.yes));
        }
        const result = await apply(f, p, choices);
        const lines = result.hosts.map((h) =>
          `${h.host}: ${h.from ?? '?'} → ${h.to} ${h.outcome} (${h.execution})${h.downtimeMs !== undefined ? `, downtime ${seconds(h.downtimeMs)}` : ''}`);
        f.reporter.result({ schema: 'hotup.apply/1', ok: true, ...result }, lines.join('\n'));
      });
    });
}
