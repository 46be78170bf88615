import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { withTarget, type GlobalOptions, type TargetOptions } from './harness.js';
import { targeted } from './target.js';

export function register(program: Command): void {
  targeted(program.command('plan').description(descriptionOf('plan')))
    .option('--vsn <vsn>', 'the release version the build must make; the build sees it as HOTUP_VERSION (default: $HOTUP_VERSION)')
    .option('--check-live', 'ship and unpack the tarball beside the running release and let each live node run check_install_release')
    .option('--out <file>', 'also save the plan to FILE, with the build\'s tarball beside it, for `apply --plan`')
    .option('--json', 'print the plan object that apply carries out')
    .action(async (envArg: string | undefined, opts: TargetOptions & { checkLive?: boolean; vsn?: string; out?: string }) => {
      await withTarget({ ...program.opts<GlobalOptions>(), ...opts }, envArg, async (f, env) => {
        const [{ planWithReadings }, { planExitCode }] = await Promise.all([import('../core/plan.js'), import('../report/exit-codes.js')]);
        const version = opts.vsn ?? process.env.HOTUP_VERSION;
        const made = await planWithReadings(f, env, { checkLive: Boolean(opts.checkLive), ...(version ? { version } : {}) });
        const p = made.plan;
        if (opts.out) {
          const { savePlan } = await import('../core/plan-file.js');
          await savePlan(f, made, opts.out);
        }
        f.reporter.result(p, null);
        process.exitCode = planExitCode(p);
      });
    });
}
