import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { withFrame, type GlobalOptions } from './harness.js';

export function register(program: Command): void {
  program
    .command('plan')
    .description(descriptionOf('plan'))
    .argument('<env>', 'environment from hotup.yml')
    .option('--vsn <vsn>', 'the release version the build must make; the build sees it as HOTUP_VERSION (default: $HOTUP_VERSION)')
    .option('--check-live', 'ship and unpack the tarball beside the running release and let each live node run check_install_release')
    .option('--json', 'print the plan object that apply carries out')
    .action(async (env: string, opts: GlobalOptions & { checkLive?: boolean; vsn?: string }) => {
      await withFrame({ ...program.opts<GlobalOptions>(), ...opts }, async (f) => {
        const [{ plan }, { planExitCode }] = await Promise.all([import('../core/plan.js'), import('../report/exit-codes.js')]);
        const version = opts.vsn ?? process.env.HOTUP_VERSION;
        const p = await plan(f, env, { checkLive: Boolean(opts.checkLive), ...(version ? { version } : {}) });
        f.reporter.result(p, null);
        process.exitCode = planExitCode(p);
      });
    });
}
