/** hotup prune over fake hosts: which releases stay (running, permanent, previous, newest N), the node down, a refusal, the lock, the journal; and prune after apply. */
import { describe, expect, test } from 'vitest';
import type { HotupError } from '../../src/errors.js';
import { runPrune, type PruneResult } from '../../src/core/prune.js';
import { runApply, runDowngrade } from '../../src/core/deploy.js';
import { choosePrune, ownedPaths } from '../../src/plan/prune.js';
import { diskUsageArgv, parseDiskUsage } from '../../src/commands/disk.js';
import type { ReleasesEntry } from '../../src/terms/model.js';
import { FakeHost, fakeContext, fakePlan, rhError, stepsOf, type ReleaseStatus } from '../support/fake-host.js';

const rel = (vsn: string, status: ReleasesEntry['status'], apps: string[] = []): ReleasesEntry => ({ name: 'shop', vsn, erts: null, apps, status });

function host(name: string, releases: Array<[string, ReleaseStatus]>, up = true): FakeHost {
  return new FakeHost({ name, releases: releases.map(([vsn, status]) => ({ vsn, status })), up });
}

async function prune(fakes: FakeHost[], opts: { keep?: number; dryRun?: boolean } = {}) {
  const { ctx, events } = fakeContext(fakes);
  try {
    return { result: await runPrune(ctx, 'prod', { keep: opts.keep ?? 2, dryRun: opts.dryRun ?? false }), events };
  } catch (e) {
    return { error: e as HotupError, events };
  }
}

const SIX: Array<[string, ReleaseStatus]> = [['0.1.0', 'old'], ['0.2.0', 'old'], ['0.3.0', 'old'], ['0.4.0', 'old'], ['0.5.0', 'unpacked'], ['0.6.0', 'permanent']];

describe('which releases prune keeps', () => {
  test('running and permanent, previous, then the newest KEEP; the rest go, oldest first', () => {
    const rs = SIX.map(([v, s]) => rel(v, s));
    expect(choosePrune(rs, { running: '0.6.0', permanent: '0.6.0', previous: '0.5.0' }, 1)).toEqual({
      kept: [{ vsn: '0.6.0', why: ['running', 'permanent'] }, { vsn: '0.5.0', why: ['previous'] }, { vsn: '0.4.0', why: ['newest'] }],
      remove: ['0.1.0', '0.2.0', '0.3.0'],
    });
    expect(choosePrune(rs, { running: '0.6.0', permanent: '0.6.0', previous: '0.5.0' }, 10).remove).toEqual([]);
  });

  test('installed but not permanent: the running (current) and the permanent one both stay', () => {
    const rs = [rel('0.1.0', 'old'), rel('0.2.0', 'permanent'), rel('0.3.0', 'current')];
    expect(choosePrune(rs, { running: '0.3.0', permanent: '0.2.0', previous: '0.2.0' }, 0)).toEqual({
      kept: [{ vsn: '0.3.0', why: ['running'] }, { vsn: '0.2.0', why: ['permanent', 'previous'] }],
      remove: ['0.1.0'],
    });
  });

  test('measured: releases/<vsn> of each removed one, and the lib dirs no staying release uses', () => {
    const rs = [rel('0.1.0', 'old', ['shop-0.1.0', 'stdlib-4.0']), rel('0.2.0', 'old', ['shop-0.2.0', 'stdlib-4.0']), rel('0.3.0', 'permanent', ['shop-0.3.0', 'stdlib-4.1'])];
    expect(ownedPaths('/srv/shop', rs, ['0.1.0'])).toEqual(['/srv/shop/releases/0.1.0', '/srv/shop/lib/shop-0.1.0']);
    expect(ownedPaths('/srv/shop', rs, ['0.1.0', '0.2.0'])).toEqual(['/srv/shop/releases/0.1.0', '/srv/shop/releases/0.2.0', '/srv/shop/lib/shop-0.1.0', '/srv/shop/lib/shop-0.2.0', '/srv/shop/lib/stdlib-4.0']);
  });

  test('du output in bytes; a path gone is 0', () => {
    expect(diskUsageArgv(['/a b', '/c']).slice(3)).toEqual(['hotup', '/a b', '/c']);
    expect(parseDiskUsage('12\t/a b\n0\t/c\n')).toBe(12 * 1024);
  });
});

describe('hotup prune', () => {
  test('removes through release_handler, reads back the table and the disk, journals, frees the lock', async () => {
    const fake = host('deploy@a:22', SIX);
    const { result, events } = await prune([fake], { keep: 1 });
    const h = (result as PruneResult).hosts[0]!;
    expect(h.removed).toEqual(['0.1.0', '0.2.0', '0.3.0']);
    expect(h.kept.map((k) => k.vsn)).toEqual(['0.6.0', '0.5.0', '0.4.0']);
    // One file (1 kB in the fake's du) under releases/<vsn> of each.
    expect(h.bytes).toBe(3 * 1024);
    expect(h.releases.map((r) => r.vsn)).toEqual(['0.6.0', '0.5.0', '0.4.0']);
    expect(fake.ops('call:remove_release')).toEqual(['call:remove_release 0.1.0', 'call:remove_release 0.2.0', 'call:remove_release 0.3.0']);
    expect(fake.releases.map((r) => r.vsn)).toEqual(['0.4.0', '0.5.0', '0.6.0']);
    expect(fake.journal().map((j) => `${j.step}:${j.result}`)).toEqual(['prune:done']);
    expect(fake.ops('run:lock')).toHaveLength(1);
    expect(fake.locked).toBe(false);
    expect(stepsOf(events, fake.name)).toContain('prune:done');
  });

  test('--dry-run: what would go and what it frees; nothing removed, no lock, no journal', async () => {
    const fake = host('deploy@a:22', SIX);
    const { result } = await prune([fake], { keep: 1, dryRun: true });
    const h = (result as PruneResult).hosts[0]!;
    expect(h).toMatchObject({ remove: ['0.1.0', '0.2.0', '0.3.0'], removed: [], bytes: 3 * 1024 });
    expect(fake.ops('call:remove_release')).toEqual([]);
    expect(fake.releases).toHaveLength(6);
    expect(fake.ops('run:lock')).toEqual([]);
    expect(fake.journal()).toEqual([]);
  });

  test('nothing beyond what must stay: no removal, said so', async () => {
    const fake = host('deploy@a:22', [['0.1.0', 'old'], ['0.2.0', 'permanent']]);
    const { result } = await prune([fake], { keep: 0 });
    expect((result as PruneResult).hosts[0]).toMatchObject({ remove: [], removed: [], bytes: 0 });
    expect(fake.ops('call:remove_release')).toEqual([]);
  });

  test('a node down on any host: refused before anything is removed anywhere, with the remedy', async () => {
    const up = host('deploy@a:22', SIX);
    const down = host('deploy@b:22', SIX, false);
    const { error } = await prune([up, down], { keep: 0 });
    expect(error!.code).toBe('NODE_DOWN');
    expect(error!.untouched).toBe(true);
    expect(error!.message).toMatch(/the node on deploy@b:22 is down .*release_handler removes releases only on a live node/);
    expect(error!.remedy).toMatch(/Start it \(bin\/shop daemon, or its service\), then run hotup prune again/);
    expect(up.ops('call:remove_release')).toEqual([]);
    expect(up.locked || down.locked).toBe(false);
  });

  test('release_handler refuses one: CALL_FAILED naming what was removed before it; journaled as failed; lock freed', async () => {
    const fake = host('deploy@a:22', SIX);
    fake.fail({ op: 'call:remove_release', nth: 2, reply: rhError('in_use') });
    const { error } = await prune([fake], { keep: 1 });
    expect(error!.code).toBe('CALL_FAILED');
    expect(error!.message).toBe('release_handler:remove_release("0.2.0") returned {error,in_use}; removed before it: 0.1.0');
    expect(fake.releases.map((r) => r.vsn)).toEqual(['0.2.0', '0.3.0', '0.4.0', '0.5.0', '0.6.0']);
    expect(fake.journal().map((j) => `${j.step}:${j.result}`)).toEqual(['prune:failed']);
    expect(fake.locked).toBe(false);
  });

  test('a remove_release that answers ok but leaves the release: the read-back says so', async () => {
    const fake = host('deploy@a:22', [['0.1.0', 'old'], ['0.2.0', 'old'], ['0.3.0', 'permanent']]);
    fake.fail({ op: 'call:remove_release', reply: { kind: 'atom', name: 'ok' } });
    const { error } = await prune([fake], { keep: 0 });
    expect(error!.code).toBe('VERIFY_FAILED');
    expect(error!.message).toBe('after prune the node still lists 0.1.0');
  });

  test('another run holds the deploy lock: LOCK_HELD, nothing removed', async () => {
    const fake = host('deploy@a:22', SIX);
    fake.files.set('/srv/shop/releases/.hotup-lock/holder.json', JSON.stringify({ who: 'x@y', pid: 1, since: 'now', what: 'hotup apply prod' }));
    const { error } = await prune([fake]);
    expect(error!.code).toBe('LOCK_HELD');
    expect(fake.ops('call:remove_release')).toEqual([]);
  });
});

describe('prune after apply (prune: { keep })', () => {
  test('after the upgrade is permanent and verified, old releases go; the previous one stays', async () => {
    const fake = host('deploy@a:22', [['0.0.1', 'old'], ['0.0.2', 'old'], ['0.1.0', 'permanent']]);
    const { ctx, events } = fakeContext([fake], { prune: { keep: 0 } });
    const result = await runApply(ctx, 'prod', {}, async () => undefined, async () => fakePlan([fake], '0.1.0', '0.2.0'));
    expect(result.hosts[0]!.outcome).toBe('upgraded');
    const steps = stepsOf(events, fake.name).filter((s) => !s.endsWith(':start'));
    expect(steps.slice(steps.indexOf('verify:done'))).toEqual(['verify:done', 'prune:done']);
    expect(fake.releases.map((r) => r.vsn)).toEqual(['0.1.0', '0.2.0']);
    expect(fake.journal().map((j) => j.step)).toContain('prune');
  });

  test('a prune that fails after a good upgrade: a warning; the upgrade stands', async () => {
    const fake = host('deploy@a:22', [['0.0.1', 'old'], ['0.1.0', 'permanent']]);
    fake.fail({ op: 'call:remove_release', reply: rhError('in_use') });
    const { ctx, events } = fakeContext([fake], { prune: { keep: 0 } });
    const result = await runApply(ctx, 'prod', {}, async () => undefined, async () => fakePlan([fake], '0.1.0', '0.2.0'));
    expect(result.hosts[0]!.outcome).toBe('upgraded');
    expect(events.some((e) => e.type === 'log' && e.level === 'warn' && /the upgrade to 0\.2\.0 stands; prune after it failed/.test(e.message))).toBe(true);
    expect(fake.running).toBe('0.2.0');
  });

  test('not after a downgrade: the release it leaves stays', async () => {
    const fake = host('deploy@a:22', [['0.0.1', 'old'], ['0.1.0', 'old'], ['0.2.0', 'permanent']]);
    const { ctx } = fakeContext([fake], { prune: { keep: 0 } });
    const result = await runDowngrade(ctx, 'prod', {}, async () => undefined,
      async () => fakePlan([fake], '0.2.0', '0.1.0', { ship: false, action: 'restart', hotRollback: false }));
    expect(result.hosts[0]!.outcome).toBe('upgraded');
    expect(fake.running).toBe('0.1.0');
    expect(fake.ops('call:remove_release')).toEqual([]);
    expect(fake.releases.map((r) => r.vsn)).toEqual(['0.0.1', '0.1.0', '0.2.0']);
  });
});
