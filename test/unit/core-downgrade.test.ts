/** The downgrade flow over a fake host: back to an installed release, hot through the down-path or by restart, with faults. */
import { describe, expect, test } from 'vitest';
import { HotupError } from '../../src/errors.js';
import { runDowngrade } from '../../src/core/deploy.js';
import { planDowngrade } from '../../src/core/downgrade.js';
import { relupPath } from '../../src/commands/release-paths.js';
import type { Term } from '../../src/terms/etf.js';
import type { ApplyResult } from '../../src/core/results.js';
import type { EnvironmentConfig } from '../../src/config/types.js';
import { FakeHost, fakeContext, fakePlan, rhError, stepsOf, type Fault } from '../support/fake-host.js';

const OLD = '0.1.0';
const NEW = '0.2.0';

/** A host that was upgraded OLD → NEW: both installed, NEW permanent. */
function upgraded(): FakeHost {
  return new FakeHost({ name: 'deploy@a:22', releases: [{ vsn: OLD, status: 'old' }, { vsn: NEW, status: 'permanent' }] });
}

async function downgrade(fake: FakeHost, how: 'hot' | 'restart', faults: Fault[] = [], env: Partial<EnvironmentConfig> = {}) {
  for (const f of faults) fake.fail(f);
  const { ctx, events } = fakeContext([fake], env);
  let asked: string | undefined;
  const confirm = async (q: string) => void (asked = q);
  const plan = async (_c: unknown, _e: string, to: string | undefined) => fakePlan([fake], NEW, to ?? OLD, { action: how, ship: false, hotRollback: true });
  try {
    const result = await runDowngrade(ctx, 'prod', { to: OLD }, confirm, plan);
    return { result, asked, steps: stepsOf(events, fake.name) };
  } catch (e) {
    return { error: e as HotupError & { results?: ApplyResult['hosts'] }, asked, steps: stepsOf(events, fake.name) };
  }
}

describe('downgrade', () => {
  test('hot: through the relup down-path, nothing shipped, the old release permanent again', async () => {
    const fake = upgraded();
    const { result, asked, steps } = await downgrade(fake, 'hot');
    expect(asked).toBe('Downgrade prod?');
    expect(result!.hosts[0]).toMatchObject({ from: NEW, to: OLD, execution: 'hot', outcome: 'upgraded' });
    expect(steps).not.toContain('ship:start');
    expect(steps).toEqual(expect.arrayContaining(['install:done', 'make_permanent:done', 'verify:done']));
    expect(fake.running).toBe(OLD);
    expect(fake.bootsNext).toBe(OLD);
    expect(fake.ops('put')).toEqual([]);
    expect(fake.locked).toBe(false);
    expect(fake.journal().every((j) => j.from === NEW && j.to === OLD)).toBe(true);
  });

  test('by restart: the old release set to boot and the node restarted into it', async () => {
    const fake = upgraded();
    const { result, steps } = await downgrade(fake, 'restart');
    expect(result!.hosts[0]).toMatchObject({ execution: 'restart', outcome: 'upgraded' });
    expect(steps).toEqual(expect.arrayContaining(['unpack:skip', 'set_boot:done', 'restart:done', 'verify:done']));
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('not confirmed: ABORTED, the node untouched, the lock freed', async () => {
    const fake = upgraded();
    const { ctx } = fakeContext([fake]);
    const no = async () => { throw new HotupError('ABORTED', 'not confirmed', 'Answer y.'); };
    await expect(runDowngrade(ctx, 'prod', {}, no, async () => fakePlan([fake], NEW, OLD, { ship: false }))).rejects.toMatchObject({ code: 'ABORTED' });
    expect(fake.running).toBe(NEW);
    expect(fake.locked).toBe(false);
    expect(fake.journal()).toEqual([]);
  });

  test('hot: install_release refuses the down-path → UPGRADE_FAILED, untouched, still on the newer release', async () => {
    const fake = upgraded();
    const { error, steps } = await downgrade(fake, 'hot', [{ op: 'call:install_release', reply: rhError('bad_relup_file') }]);
    expect(error!.code).toBe('UPGRADE_FAILED');
    expect(steps).not.toContain('rollback:start');
    expect(fake.running).toBe(NEW);
    expect(fake.locked).toBe(false);
  });

  test('hot: make_permanent refused → rolled back up to the release it ran', async () => {
    const fake = upgraded();
    const { error, steps } = await downgrade(fake, 'hot', [{ op: 'call:make_permanent', reply: rhError('not_writable') }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect(error!.message).toMatch(/serves 0\.2\.0/);
    expect(steps).toContain('rollback:done');
    expect(fake.running).toBe(NEW);
    expect(fake.statusOf('permanent')).toBe(NEW);
    expect(fake.locked).toBe(false);
  });

  test('hot: the older release is unhealthy → rolled back to the newer one', async () => {
    const fake = upgraded();
    fake.unhealthy.add(OLD);
    const health = { probe: { kind: 'command' as const, command: 'check-health' }, timeoutMs: 100, retries: 0, intervalMs: 1 };
    const { error } = await downgrade(fake, 'hot', [], { health });
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('HEALTH_FAILED');
    expect(fake.running).toBe(NEW);
    expect(fake.bootsNext).toBe(NEW);
    expect(fake.locked).toBe(false);
  });

  test('by restart: the older release crashes at boot → rolled back by restart to the newer one', async () => {
    const fake = upgraded();
    fake.crashesAtBoot.add(OLD);
    const { error, steps } = await downgrade(fake, 'restart');
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('NODE_DOWN');
    expect(steps).toContain('rollback:done');
    expect(fake.running).toBe(NEW);
    expect(fake.bootsNext).toBe(NEW);
    expect(fake.locked).toBe(false);
  });

  test('by restart: set_boot fails → rolled back; the node runs the newer release again', async () => {
    const fake = upgraded();
    const { error } = await downgrade(fake, 'restart', [{ op: 'helper:set-boot', error: 'HELPER_FAILED' }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect(fake.running).toBe(NEW);
    expect(fake.locked).toBe(false);
  });

  test('the link lost at unpack → LINK_LOST, the node untouched', async () => {
    const fake = upgraded();
    const { error } = await downgrade(fake, 'hot', [{ op: 'call:which_releases', error: 'LINK_LOST' }]);
    expect(error!.code).toBe('LINK_LOST');
    expect(fake.running).toBe(NEW);
    expect(fake.locked).toBe(false);
  });
});

describe('planning a downgrade', () => {
  const str = (v: string): Term => ({ kind: 'list', items: [...v].map((c) => ({ kind: 'int', value: c.charCodeAt(0) })) });
  const t = (...items: Term[]): Term => ({ kind: 'tuple', items });
  const l = (...items: Term[]): Term => ({ kind: 'list', items });
  const a = (name: string): Term => ({ kind: 'atom', name });
  /** NEW's relup, with a hot down-path to OLD: its counter loaded back. */
  const relup = t(str(NEW), l(), l(t(str(OLD), l(), l(a('point_of_no_return'), t(a('load'), t(a('shop_counter'), a('brutal_purge'), a('brutal_purge')))))));

  async function planned(fake: FakeHost) {
    fake.termFiles.set(relupPath(fake.root, NEW), relup);
    const { ctx } = fakeContext([fake]);
    return (await planDowngrade(ctx, 'prod')).hosts[0]!;
  }

  test('through the relup down-path: hot', async () => {
    expect(await planned(upgraded())).toMatchObject({ from: NEW, to: OLD, action: 'hot', reasons: [] });
  });

  test('a consolidated protocol that differs between the two releases: by restart, the protocol named', async () => {
    const fake = upgraded();
    fake.protocolsDiffer = ['Elixir.String.Chars.beam'];
    const h = await planned(fake);
    expect(h).toMatchObject({ action: 'restart', instructions: [] });
    expect(h.reasons.map((r) => [r.rule, r.effect])).toEqual([['elixir/protocol-changed', 'restart']]);
    expect(h.reasons[0]!.message).toBe(`protocol String.Chars is consolidated differently in ${NEW} and ${OLD}: a hot downgrade would keep ${NEW}'s dispatch`);
  });
});
