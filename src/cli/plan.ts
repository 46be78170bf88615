import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { withTarget, type GlobalOptions, type TargetOptions } from './harness.js';
import { targeted } from './target.js';

export function register(program: Command): void {
  targeted(program.command('plan').description(descriptionOf('plan')))
    .option('--vsn <vsn>', 'the release version the build must make; the build sees it as HOTUP_VERSION (default: $HOTUP_VERSION)')
    .option('--check-live', 'ship and unpack the tarball beside the running release and let each live node run check_install_release')
    .option('--json', 'print the plan object that apply carries out')
    .action(async (envArg: string | undefined, opts: TargetOptions & { checkLive?: boolean; vsn?: string }) => {
      await withTarget({ ...program.opts<GlobalOptions>(), ...opts }, envArg, async (f, env) => {
        const [{ plan }, { planExitCode }] = await Promise.all([import('../core/plan.js'), import('../report/exit-codes.js')]);
        const version = opts.vsn ?? process.env.HOTUP_VERSION;
        const p = await plan(f, env, { checkLive: Boolean(opts.checkLive), ...(version ? { version } : {}) });
        f.reporter.result(p, null);
        process.exitCode = planExitCode(p);
      });
    });
}
