/** `hotup lock status|release` and `hotup history`: the deploy lock and the journal, per host. */
import { readLock, releaseAll, type LockNote } from '../host/lock.js';
import { readJournal, type JournalEntry } from '../host/journal.js';
import { environment, nodeTarget, type CoreContext } from './context.js';

async function targets(ctx: CoreContext, envName: string) {
  const env = environment(ctx.config, envName);
  return Promise.all(env.hosts.map(async (h) => {
    const node = await nodeTarget(ctx, env, h);
    return { host: h.raw, exec: node.exec, root: node.root };
  }));
}

export async function lockStatus(ctx: CoreContext, envName: string): Promise<Array<{ host: string; lock: LockNote | null }>> {
  return Promise.all((await targets(ctx, envName)).map(async (t) => ({ host: t.host, lock: await readLock(t) })));
}

export async function lockRelease(ctx: CoreContext, envName: string): Promise<Array<{ host: string; released: LockNote | null }>> {
  const ts = await targets(ctx, envName);
  const held = await Promise.all(ts.map(async (t) => ({ host: t.host, released: await readLock(t) })));
  await releaseAll(ts);
  return held;
}

/** The last LIMIT journal entries of every host, oldest first. */
export async function history(ctx: CoreContext, envName: string, limit: number): Promise<JournalEntry[]> {
  const all = (await Promise.all((await targets(ctx, envName)).map((t) => readJournal(t.exec, t.root, limit)))).flat();
  return all.sort((a, b) => a.at.localeCompare(b.at)).slice(-limit);
}
