import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { HotupError } from '../errors.js';
import { withTarget, type GlobalOptions, type TargetOptions } from './harness.js';
import { targeted } from './target.js';

interface PruneOptions extends TargetOptions {
  keep?: string;
  dryRun?: boolean;
}

export function register(program: Command): void {
  targeted(program.command('prune').description(descriptionOf('prune')))
    .option('--keep <n>', 'releases kept besides the running, permanent and previous ones, newest first (default 2)')
    .option('--dry-run', 'show what would be removed and freed; remove nothing')
    .option('--json', 'print one JSON document on stdout')
    .option('--json-lines', 'print every event as a JSON line on stdout, the result last')
    .action(async (envArg: string | undefined, opts: PruneOptions) => {
      await withTarget({ ...program.opts<GlobalOptions>(), ...opts }, envArg, async (f, env) => {
        const [{ runPrune }, { DEFAULT_KEEP }] = await Promise.all([import('../core/prune.js'), import('../plan/prune.js')]);
        const keep = opts.keep === undefined ? DEFAULT_KEEP : Number(opts.keep);
        if (!Number.isInteger(keep) || keep < 0) throw new HotupError('USAGE', `--keep takes a whole number, not "${opts.keep}"`, 'For example --keep 2.');
        const result = await runPrune(f, env, { keep, dryRun: Boolean(opts.dryRun) });
        const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
        f.reporter.result({ schema: 'hotup.prune/1', ok: true, ...result }, result.hosts.map((h) => {
          const gone = result.dryRun ? h.remove : h.removed;
          const verb = result.dryRun ? 'would remove' : 'removed';
          return `${h.host}: ${gone.length ? `${verb} ${gone.join(', ')} (${mb(h.bytes)}${result.dryRun ? '' : ' freed'})` : 'nothing to remove'}; kept ${h.kept.map((k) => `${k.vsn} (${k.why.join(', ')})`).join(', ')}`;
        }).join('\n'));
      });
    });
}
