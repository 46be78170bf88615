import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { withTarget, type GlobalOptions, type TargetOptions } from './harness.js';
import { targeted } from './target.js';
import { confirm } from './confirm.js';
import { HotupError } from '../errors.js';

interface ApplyOptions extends TargetOptions {
  yes?: boolean;
  restart?: boolean;
  force?: boolean;
  parallel?: string;
  canary?: string;
  vsn?: string;
  plan?: string;
}

function count(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new HotupError('USAGE', `--${name} takes a whole number of at least ${min}, not "${value}"`, `For example --${name} ${min + 1}.`);
  }
  return n;
}

export function register(program: Command): void {
  targeted(program.command('apply').description(descriptionOf('apply')))
    .option('-y, --yes', 'do not ask for confirmation (also when CI=true)')
    .option('--vsn <vsn>', 'the release version the build must make; the build sees it as HOTUP_VERSION (default: $HOTUP_VERSION)')
    .option('--plan <file>', 'carry out the plan `plan --out` saved, with its tarball, no build; refused if a host changed since')
    .option('--restart', 'restart into the new release instead of a hot upgrade (also where findings rule hot out)')
    .option('--force', 'go ahead despite error findings (hot where an up-path exists)')
    .option('--parallel <n>', 'hosts upgraded at once (default 1: rolling)')
    .option('--canary <k>', 'upgrade and health-check K hosts before touching the rest')
    .option('--json', 'print one JSON document on stdout')
    .option('--json-lines', 'print every event as a JSON line on stdout, the result last')
    .action(async (envArg: string | undefined, opts: ApplyOptions) => {
      await withTarget({ ...program.opts<GlobalOptions>(), ...opts }, envArg, async (f, env) => {
        const rollout = { parallel: count(opts.parallel, 'parallel', 1) ?? 1, canary: count(opts.canary, 'canary', 0) ?? 0 };
        const ask = (question: string) => confirm(question, Boolean(opts.yes));
        const choices = { restart: Boolean(opts.restart), force: Boolean(opts.force), ...rollout };
        let result;
        if (opts.plan) {
          if (opts.vsn) throw new HotupError('USAGE', '--vsn and --plan do not go together: the saved plan names its build', 'Drop --vsn.');
          const { applySavedPlan } = await import('../core/plan-file.js');
          result = await applySavedPlan(f, env, opts.plan, choices, ask);
        } else {
          const { runApply } = await import('../core/deploy.js');
          const version = opts.vsn ?? process.env.HOTUP_VERSION;
          result = await runApply(f, env, { ...choices, ...(version ? { version } : {}) }, ask);
        }
        f.reporter.result({ schema: 'hotup.apply/1', ok: true, ...result }, null);
      });
    });
}
