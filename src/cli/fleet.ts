import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { HotupError } from '../errors.js';
import { withTarget, type GlobalOptions, type TargetOptions } from './harness.js';
import { targeted } from './target.js';

export function register(program: Command): void {
  const lock = program.command('lock').description(descriptionOf('lock'));
  targeted(lock.command('status').description('who holds the deploy lock on each host'))
    .option('--json', 'print one JSON document on stdout')
    .action(async (envArg: string | undefined, opts: TargetOptions) => {
      await withTarget({ ...program.opts<GlobalOptions>(), ...opts }, envArg, async (f, env) => {
        const { lockStatus } = await import('../core/fleet.js');
        const hosts = await lockStatus(f, env);
        f.reporter.result({ schema: 'hotup.lock/1', environment: env, hosts },
          hosts.map((h) => `${h.host}: ${h.lock ? `held by ${h.lock.who} (pid ${h.lock.pid}) since ${h.lock.since}: ${h.lock.what}` : 'free'}`).join('\n'));
      });
    });
  targeted(lock.command('release').description('free the deploy lock on every host (after a run that died)'))
    .option('--json', 'print one JSON document on stdout')
    .action(async (envArg: string | undefined, opts: TargetOptions) => {
      await withTarget({ ...program.opts<GlobalOptions>(), ...opts }, envArg, async (f, env) => {
        const { lockRelease } = await import('../core/fleet.js');
        const hosts = await lockRelease(f, env);
        f.reporter.result({ schema: 'hotup.lock/1', environment: env, hosts },
          hosts.map((h) => `${h.host}: ${h.released ? `released (was held by ${h.released.who})` : 'was free'}`).join('\n'));
      });
    });

  targeted(program.command('history').description(descriptionOf('history')))
    .option('--limit <n>', 'how many entries (default 50)', '50')
    .option('--json', 'print one JSON document on stdout')
    .action(async (envArg: string | undefined, opts: TargetOptions & { limit: string }) => {
      await withTarget({ ...program.opts<GlobalOptions>(), ...opts }, envArg, async (f, env) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new HotupError('USAGE', `--limit takes a whole number, not "${opts.limit}"`, 'For example --limit 20.');
        const { history } = await import('../core/fleet.js');
        const entries = await history(f, env, limit);
        f.reporter.result({ schema: 'hotup.history/1', environment: env, entries },
          entries.map((e) => `${e.at}  ${e.host}  ${e.who}  ${e.from ?? '?'} → ${e.to ?? '?'}  ${e.step} ${e.result}${e.detail ? `  ${e.detail}` : ''}`).join('\n') || 'no journal entries');
      });
    });
}
