import type { Command } from 'commander';
import { withFrame, type GlobalOptions } from './harness.js';
import { confirm } from './confirm.js';

interface ApplyOptions extends GlobalOptions {
  yes?: boolean;
}

export function register(program: Command): void {
  program
    .command('apply')
    .description('plan, then upgrade every host: ship the tarball, unpack, install, make permanent, verify')
    .argument('<env>', 'environment from hotup.yml')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print one JSON document on stdout (implies no prompt only with --yes)')
    .action(async (env: string, opts: ApplyOptions) => {
      await withFrame({ ...program.opts<GlobalOptions>(), ...opts }, async (f) => {
        const { plan } = await import('../core/plan.js');
        const { apply, assertApplicable } = await import('../core/apply.js');
        const p = await plan(f, env);
        assertApplicable(p);
        if (p.hosts.some((h) => h.action !== 'noop')) await confirm(`Apply this plan to ${env}?`, Boolean(opts.yes));
        const result = await apply(f, p);
        const lines = result.hosts.map((h) => `${h.host}: ${h.from ?? '?'} → ${h.to} ${h.outcome} (${h.action})`);
        f.reporter.result({ schema: 'hotup.apply/1', ok: true, ...result }, lines.join('\n'));
      });
    });
}
