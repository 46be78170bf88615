/** Deploy locks on every host of an environment: all or none, released on every exit. */
import os from 'node:os';
import { HotupError } from '../errors.js';
import type { Host } from './host.js';
import { acquireLockArgv, LOCK_HELD, readLockArgv, releaseLockArgv } from '../commands/lock.js';

export interface LockNote {
  who: string;
  pid: number;
  since: string;
  what: string;
}

export function lockNote(what: string): LockNote {
  return { who: `${os.userInfo().username}@${os.hostname()}`, pid: process.pid, since: new Date().toISOString(), what };
}

export async function readLock(t: Host): Promise<LockNote | null> {
  const r = await t.run(readLockArgv(t.root), { timeoutMs: 30_000 });
  if (r.code === LOCK_HELD) return null;
  try {
    return JSON.parse(r.stdout) as LockNote;
  } catch {
    return { who: 'unknown', pid: 0, since: 'unknown', what: 'unreadable lock note' };
  }
}

async function releaseOne(t: Host): Promise<void> {
  await t.run(releaseLockArgv(t.root), { timeoutMs: 30_000 });
}

/**
 * Takes the lock on every target, all or none: the first target's alone (of
 * two runs at once, only one gets past it), then the others' at once. If one
 * is held, gives back the ones taken and fails naming the holder.
 */
export async function acquireAll(targets: Host[], note: LockNote): Promise<() => Promise<void>> {
  const taken: Host[] = [];
  const releaseTaken = async () => {
    await Promise.all(taken.map((t) => releaseOne(t).catch(() => undefined)));
    taken.length = 0;
  };
  const take = async (t: Host): Promise<HotupError | null> => {
    const r = await t.run(acquireLockArgv(t.root, JSON.stringify(note)), { timeoutMs: 30_000 });
    if (r.code === 0) {
      taken.push(t);
      return null;
    }
    if (r.code === LOCK_HELD) {
      const holder = await readLock(t);
      return new HotupError('LOCK_HELD',
        `the deploy lock on ${t.name} is held by ${holder?.who ?? 'someone'} (pid ${holder?.pid ?? '?'}, since ${holder?.since ?? '?'}: ${holder?.what ?? '?'})`,
        'Wait for that run to finish. If it died, check with `hotup lock status <env>` and free it with `hotup lock release <env>`.',
        { host: t.name });
    }
    return new HotupError('COMMAND_FAILED', `could not take the deploy lock on ${t.name}: ${r.stderr.trim() || `exit ${r.code}`}`,
      'The SSH user must be able to create directories under deploy_to/releases.', { host: t.name });
  };
  // Every attempt ends before anything is given back, so no lock is taken after the release.
  const [first, ...rest] = targets;
  const outcomes: PromiseSettledResult<HotupError | null>[] = first ? await Promise.allSettled([take(first)]) : [];
  if (outcomes.every((o) => o.status === 'fulfilled' && o.value === null)) outcomes.push(...(await Promise.allSettled(rest.map(take))));
  const failed = outcomes.find((o) => o.status === 'rejected' || o.value !== null);
  if (failed) {
    await releaseTaken();
    throw failed.status === 'rejected' ? failed.reason : failed.value;
  }
  return releaseTaken;
}

export async function releaseAll(targets: Host[]): Promise<void> {
  await Promise.all(targets.map(releaseOne));
}
