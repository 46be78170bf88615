/**
 * Everything that changes hosts runs inside the deploy lock of every host of
 * the environment, and journals its mutating steps on each host. The lock is
 * given back on every way out, Ctrl-C included.
 */
import { beforeAnyChange } from '../errors.js';
import { signalExit, type Interrupts } from './interrupt.js';
import { environment, hostNamed, type CoreContext } from './context.js';
import { acquireAll, lockNote } from '../host/lock.js';
import { journaling, type JournalHost } from '../host/journal.js';
import type { UpgradePlan } from '../plan/types.js';

/** What the body of withDeployLock can do about signals: `deferStops` once it starts changing hosts. */
export interface LockControl extends Interrupts {
  deferStops(): void;
}

export async function withDeployLock<T>(ctx: CoreContext, envName: string, what: string, body: (control: LockControl) => Promise<T>): Promise<T> {
  const env = environment(ctx.config, envName);
  const release = await beforeAnyChange(async () => acquireAll(await Promise.all(env.hosts.map((h) => ctx.host(env, h))), lockNote(what)));
  let deferring = false;
  let requested: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (deferring && !requested) {
      requested = signal;
      ctx.emit({ type: 'log', level: 'warn', message: `${signal}: stopping at the next safe point (hosts past their install finish first); ${signal} again stops at once` });
      return;
    }
    void release().finally(() => process.exit(signalExit(signal)));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body({ requested: () => requested, deferStops: () => { deferring = true; } });
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
