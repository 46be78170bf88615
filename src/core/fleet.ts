/** `hotup lock status|release` and `hotup history`: the deploy lock and the journal, per host. */
import { readLock, releaseAll, type LockNote } from '../host/lock.js';
import { readJournal, type JournalEntry } from '../host/journal.js';
import type { Host } from '../host/host.js';
import { environment, type CoreContext } from './context.js';

function hosts(ctx: CoreContext, envName: string): Promise<Host[]> {
  const env = environment(ctx.config, envName);
  return Promise.all(env.hosts.map((h) => ctx.host(env, h)));
}

export async function lockStatus(ctx: CoreContext, envName: string): Promise<Array<{ host: string; lock: LockNote | null }>> {
  return Promise.all((await hosts(ctx, envName)).map(async (h) => ({ host: h.name, lock: await readLock(h) })));
}

export async function lockRelease(ctx: CoreContext, envName: string): Promise<Array<{ host: string; released: LockNote | null }>> {
  const hs = await hosts(ctx, envName);
  const held = await Promise.all(hs.map(async (h) => ({ host: h.name, released: await readLock(h) })));
  await releaseAll(hs);
  return held;
}

/** The last LIMIT journal entries of every host, oldest first. */
export async function history(ctx: CoreContext, envName: string, limit: number): Promise<JournalEntry[]> {
  const all = (await Promise.all((await hosts(ctx, envName)).map((h) => readJournal(h, limit)))).flat();
  return all.sort((a, b) => a.at.localeCompare(b.at)).slice(-limit);
}
