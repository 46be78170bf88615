/** Apply over several fake hosts: rolling, parallel, canary, stop at the first failure, the lock all or none. */
import { describe, expect, test } from 'vitest';
import type { HotupError } from '../../src/errors.js';
import { acquireLockArgv } from '../../src/commands/lock.js';
import { runApply } from '../../src/core/deploy.js';
import { history, lockRelease, lockStatus } from '../../src/core/fleet.js';
import type { ApplyResult } from '../../src/core/results.js';
import type { RunApplyOptions } from '../../src/core/deploy.js';
import { FakeHost, fakeContext, fakePlan, rhError, stepsOf } from '../support/fake-host.js';

const OLD = '0.1.0';
const NEW = '0.2.0';

function fleet(n: number): FakeHost[] {
  return Array.from({ length: n }, (_, i) => new FakeHost({ name: `deploy@h${i + 1}:22`, releases: [{ vsn: OLD, status: 'permanent' }] }));
}

async function applyFleet(fakes: FakeHost[], opts: RunApplyOptions = {}) {
  const { ctx, events } = fakeContext(fakes);
  try {
    return { result: await runApply(ctx, 'prod', opts, async () => undefined, async () => fakePlan(fakes, OLD, NEW)), events };
  } catch (e) {
    return { error: e as HotupError & { results?: ApplyResult['hosts'] }, events };
  }
}

/** Which hosts were inside an install at the same moment, from the event order. */
function maxConcurrentInstalls(events: ReturnType<typeof fakeContext>['events']): number {
  let now = 0;
  let max = 0;
  for (const e of events) {
    if (e.type !== 'step' || e.step !== 'ship') continue;
    now += e.phase === 'start' ? 1 : -1;
    max = Math.max(max, now);
  }
  return max;
}

describe('fleet', () => {
  test('rolling (parallel 1): every host upgraded one after another, all locks freed', async () => {
    const fakes = fleet(3);
    const { result, events } = await applyFleet(fakes);
    expect(result!.hosts.map((h) => h.outcome)).toEqual(['upgraded', 'upgraded', 'upgraded']);
    expect(maxConcurrentInstalls(events)).toBe(1);
    expect(fakes.map((f) => f.running)).toEqual([NEW, NEW, NEW]);
    expect(fakes.every((f) => !f.locked)).toBe(true);
    expect(events.filter((e) => e.type === 'summary')).toHaveLength(1);
  });

  test('parallel 3: all hosts at once', async () => {
    const fakes = fleet(3);
    const { result, events } = await applyFleet(fakes, { parallel: 3 });
    expect(result!.hosts.every((h) => h.outcome === 'upgraded')).toBe(true);
    expect(maxConcurrentInstalls(events)).toBe(3);
  });

  test('a canary that fails its health check is rolled back; the others are never touched', async () => {
    const fakes = fleet(3);
    fakes[0]!.unhealthy.add(NEW);
    const health = { probe: { kind: 'command' as const, command: 'check-health' }, timeoutMs: 100, retries: 0, intervalMs: 1 };
    const { ctx } = fakeContext(fakes, { health });
    const error = await runApply(ctx, 'prod', { canary: 1, parallel: 2 }, async () => undefined, async () => fakePlan(fakes, OLD, NEW))
      .then(() => undefined, (e: HotupError & { results: ApplyResult['hosts'] }) => e);
    expect(error!.code).toBe('ROLLED_BACK');
    expect(error!.results.map((h) => h.outcome)).toEqual(['rolled_back', 'untouched', 'untouched']);
    expect(fakes.map((f) => f.running)).toEqual([OLD, OLD, OLD]);
    expect(fakes.slice(1).every((f) => f.ops('put').length === 0 && f.journal().length === 0)).toBe(true);
    expect(fakes.every((f) => !f.locked)).toBe(true);
  });

  test('rolling stops at the first failure: later hosts untouched, earlier ones stay upgraded', async () => {
    const fakes = fleet(3);
    fakes[1]!.fail({ op: 'call:unpack_release', reply: rhError('enospc') });
    const { error, events } = await applyFleet(fakes);
    expect(error!.code).toBe('UPGRADE_FAILED');
    expect(error!.host).toBe(fakes[1]!.name);
    expect(error!.results!.map((h) => h.outcome)).toEqual(['upgraded', 'failed', 'untouched']);
    expect(error!.results![1]!.error?.code).toBe('UPGRADE_FAILED');
    expect(fakes.map((f) => f.running)).toEqual([NEW, OLD, OLD]);
    expect(stepsOf(events, fakes[2]!.name)).toEqual([]);
    expect(fakes.every((f) => !f.locked)).toBe(true);
  });

  test('parallel waves: a failure in the first wave lets its wave finish and stops the next', async () => {
    const fakes = fleet(4);
    fakes[0]!.fail({ op: 'put', error: 'UPLOAD_FAILED' });
    const { error } = await applyFleet(fakes, { parallel: 2 });
    expect(error!.results!.map((h) => h.outcome)).toEqual(['failed', 'upgraded', 'untouched', 'untouched']);
    expect(fakes.map((f) => f.running)).toEqual([OLD, NEW, OLD, OLD]);
  });

  test('a lock held on one host: LOCK_HELD naming the holder, the locks taken are given back, nothing touched', async () => {
    const fakes = fleet(3);
    const { ctx } = fakeContext(fakes);
    // Another run holds host 2.
    await fakes[1]!.run(acquireLockArgv(fakes[1]!.root, JSON.stringify({ who: 'ops@ci', pid: 7, since: 'then', what: 'hotup apply prod' })));
    const error = await runApply(ctx, 'prod', {}, async () => undefined, async () => fakePlan(fakes, OLD, NEW)).then(() => undefined, (e: HotupError) => e);
    expect(error!.code).toBe('LOCK_HELD');
    expect(error!.message).toMatch(/held by ops@ci \(pid 7, since then: hotup apply prod\)/);
    expect(fakes.map((f) => f.locked)).toEqual([false, true, false]);
    expect(fakes.every((f) => f.ops('put').length === 0)).toBe(true);
    expect((await lockStatus(ctx, 'prod')).map((h) => h.lock?.who ?? null)).toEqual([null, 'ops@ci', null]);
    expect((await lockRelease(ctx, 'prod'))[1]!.released?.who).toBe('ops@ci');
    expect(fakes.every((f) => !f.locked)).toBe(true);
  });

  test('history: the journal of every host, oldest first', async () => {
    const fakes = fleet(2);
    const { ctx } = fakeContext(fakes);
    await runApply(ctx, 'prod', {}, async () => undefined, async () => fakePlan(fakes, OLD, NEW));
    const entries = await history(ctx, 'prod', 100);
    expect(entries).toHaveLength(8);
    expect(new Set(entries.map((e) => e.host))).toEqual(new Set(fakes.map((f) => f.name)));
    expect(entries.every((e, i) => i === 0 || entries[i - 1]!.at <= e.at)).toBe(true);
  });
});
