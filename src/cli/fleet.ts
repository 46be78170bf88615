import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { HotupError } from '../errors.js';
import { withFrame, type GlobalOptions } from './harness.js';

export function register(program: Command): void {
  const lock = program.command('lock').description(descriptionOf('lock'));
  lock
    .command('status')
    .description('who holds the deploy lock on each host')
    .argument('<env>', 'environment from hotup.yml')
    .option('--json', 'print one JSON document on stdout')
    .action(async (env: string, opts: GlobalOptions) => {
      await withFrame({ ...program.opts<GlobalOptions>(), ...opts }, async (f) => {
        const { lockStatus } = await import('../core/fleet.js');
        const hosts = await lockStatus(f, env);
        f.reporter.result({ schema: 'hotup.lock/1', environment: env, hosts },
          hosts.map((h) => `${h.host}: ${h.lock ? `held by ${h.lock.who} (pid ${h.lock.pid}) since ${h.lock.since}: ${h.lock.what}` : 'free'}`).join('\n'));
      });
    });
  lock
    .command('release')
    .description('free the deploy lock on every host (after a run that died)')
    .argument('<env>', 'environment from hotup.yml')
    .option('--json', 'print one JSON document on stdout')
    .action(async (env: string, opts: GlobalOptions) => {
      await withFrame({ ...program.opts<GlobalOptions>(), ...opts }, async (f) => {
        const { lockRelease } = await import('../core/fleet.js');
        const hosts = await lockRelease(f, env);
        f.reporter.result({ schema: 'hotup.lock/1', environment: env, hosts },
          hosts.map((h) => `${h.host}: ${h.released ? `released (was held by ${h.released.who})` : 'was free'}`).join('\n'));
      });
    });

  program
    .command('history')
    .description(descriptionOf('history'))
    .argument('<env>', 'environment from hotup.yml')
    .option('--limit <n>', 'how many entries (default 50)', '50')
    .option('--json', 'print one JSON document on stdout')
    .action(async (env: string, opts: GlobalOptions & { limit: string }) => {
      await withFrame({ ...program.opts<GlobalOptions>(), ...opts }, async (f) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new HotupError('USAGE', `--limit takes a whole number, not "${opts.limit}"`, 'For example --limit 20.');
        const { history } = await import('../core/fleet.js');
        const entries = await history(f, env, limit);
        f.reporter.result({ schema: 'hotup.history/1', environment: env, entries },
          entries.map((e) => `${e.at}  ${e.host}  ${e.who}  ${e.from ?? '?'} → ${e.to ?? '?'}  ${e.step} ${e.result}${e.detail ? `  ${e.detail}` : ''}`).join('\n') || 'no journal entries');
      });
    });
}
