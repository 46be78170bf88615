/**
 * Everything that changes hosts runs inside the deploy lock of every host of
 * the environment, and journals its mutating steps on each host. The lock is
 * given back on every way out, Ctrl-C included.
 */
import { beforeAnyChange } from '../errors.js';
import { environment, hostNamed, type CoreContext } from './context.js';
import { acquireAll, lockNote } from '../host/lock.js';
import { journaling, type JournalHost } from '../host/journal.js';
import type { UpgradePlan } from '../plan/types.js';

export async function withDeployLock<T>(ctx: CoreContext, envName: string, what: string, body: () => Promise<T>): Promise<T> {
  const env = environment(ctx.config, envName);
  const release = await beforeAnyChange(async () => acquireAll(await Promise.all(env.hosts.map((h) => ctx.host(env, h))), lockNote(what)));
  const onSignal = (signal: NodeJS.Signals) => {
    void release().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await release();
  }
}

/** CTX whose events also go to each host's journal; call `flush` before closing connections. */
export async function journaled(ctx: CoreContext, plan: UpgradePlan): Promise<{ ctx: CoreContext; flush: () => Promise<unknown> }> {
  const env = environment(ctx.config, plan.environment);
  const hosts = new Map<string, JournalHost>();
  for (const hp of plan.hosts) {
    if (!env.hosts.some((h) => h.raw === hp.host)) continue;
    hosts.set(hp.host, { host: await hostNamed(ctx, env, hp.host), from: hp.from, to: hp.to });
  }
  const j = journaling(ctx.emit, plan.environment, (h) => hosts.get(h));
  return { ctx: { ...ctx, emit: j.emit }, flush: j.flush };
}
