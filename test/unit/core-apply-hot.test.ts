/** The hot apply flow over a fake host: lock → plan → confirm → journal → ship → install → verify → health, with a fault at each step. */
import { describe, expect, test } from 'vitest';
import { HotupError } from '../../src/errors.js';
import { runApply } from '../../src/core/deploy.js';
import type { ApplyResult } from '../../src/core/results.js';
import type { Term } from '../../src/terms/etf.js';
import { FakeHost, fakeContext, fakePlan, rhError, stepsOf, type Fault } from '../support/fake-host.js';

const OLD = '0.1.0';
const NEW = '0.2.0';
const yes = async () => undefined;

function host(o: Partial<ConstructorParameters<typeof FakeHost>[0]> = {}): FakeHost {
  return new FakeHost({ name: 'deploy@a:22', releases: [{ vsn: OLD, status: 'permanent' }], ...o });
}

/** runApply with the plan injected; resolves with the result or the error it threw (with its per-host results). */
async function apply(fake: FakeHost, faults: Fault[] = [], env = {}): Promise<{ result?: ApplyResult; error?: HotupError & { results?: ApplyResult['hosts'] }; steps: string[] }> {
  for (const f of faults) fake.fail(f);
  const { ctx, events } = fakeContext([fake], env);
  try {
    const result = await runApply(ctx, 'prod', {}, yes, async () => fakePlan([fake], OLD, NEW));
    return { result, steps: stepsOf(events, fake.name) };
  } catch (e) {
    return { error: e as HotupError & { results?: ApplyResult['hosts'] }, steps: stepsOf(events, fake.name) };
  }
}

describe('apply, hot', () => {
  test('ships, unpacks, installs, health-checks, then makes permanent and verifies; journals; frees the lock', async () => {
    const fake = host();
    const { result, steps } = await apply(fake);
    expect(result!.hosts[0]).toMatchObject({ outcome: 'upgraded', execution: 'hot', from: OLD, to: NEW });
    expect(steps.filter((s) => !s.endsWith(':start'))).toEqual([
      'ship:done', 'bootstrap:skip', 'unpack:done', 'check_install:done', 'live_facts:skip', 'install:done', 'verify_code:done', 'health:done', 'make_permanent:done', 'verify:done',
    ]);
    expect(fake.releases).toEqual([{ vsn: OLD, status: 'old' }, { vsn: NEW, status: 'permanent' }]);
    expect(fake.bootsNext).toBe(NEW);
    expect(fake.locked).toBe(false);
    expect(fake.journal().map((j) => `${j.step}:${j.result}`)).toEqual(['ship:done', 'unpack:done', 'install:done', 'make_permanent:done']);
    expect(fake.journal()[0]).toMatchObject({ from: OLD, to: NEW });
  });

  test('running it again finds everything done: no call changes the node', async () => {
    const fake = host();
    await apply(fake);
    const { ctx } = fakeContext([fake]);
    const plan = fakePlan([fake], OLD, NEW);
    // The plan says noop now: nothing asked, nothing shipped.
    const again = await runApply(ctx, 'prod', {}, async () => { throw new Error('must not ask'); }, async () => plan);
    expect(again.hosts[0]!.outcome).toBe('unchanged');
    expect(fake.ops('put')).toHaveLength(1);
  });

  test('an apply interrupted after install is resumed: health check, then make_permanent; nothing shipped or installed again', async () => {
    const fake = host({ releases: [{ vsn: OLD, status: 'permanent' }, { vsn: NEW, status: 'current' }] });
    const { ctx, events } = fakeContext([fake]);
    const p = fakePlan([fake], OLD, NEW, { ship: false, hotRollback: false });
    p.hosts[0] = { ...p.hosts[0]!, from: OLD, action: 'hot' };
    const result = await runApply(ctx, 'prod', {}, yes, async () => p);
    expect(result.hosts[0]).toMatchObject({ outcome: 'upgraded', from: OLD, to: NEW });
    expect(stepsOf(events, fake.name).filter((s) => !s.endsWith(':start'))).toEqual([
      'bootstrap:skip', 'unpack:skip', 'check_install:skip', 'install:skip', 'verify_code:done', 'health:done', 'make_permanent:done', 'verify:done',
    ]);
    expect(fake.ops('call:install_release')).toEqual([]);
    expect(fake.ops('call:verify_code')).toEqual([`call:verify_code ${NEW}`]);
    expect(fake.bootsNext).toBe(NEW);
  });

  test('resumed but unhealthy: rolled back by restart into the permanent release, never made permanent', async () => {
    const fake = host({ releases: [{ vsn: OLD, status: 'permanent' }, { vsn: NEW, status: 'current' }] });
    fake.unhealthy.add(NEW);
    const health = { probe: { kind: 'command' as const, command: 'check-health' }, timeoutMs: 100, retries: 0, intervalMs: 1 };
    const { ctx } = fakeContext([fake], { health });
    const p = fakePlan([fake], OLD, NEW, { ship: false, hotRollback: false });
    p.hosts[0] = { ...p.hosts[0]!, from: OLD, action: 'hot' };
    const error = await runApply(ctx, 'prod', {}, yes, async () => p).then(() => undefined, (e: HotupError) => e);
    expect(error!.code).toBe('ROLLED_BACK');
    expect(fake.ops('call:make_permanent')).toEqual([]);
    expect(fake.running).toBe(OLD);
    expect(fake.bootsNext).toBe(OLD);
  });

  test.each(['unpacked', 'old'] as const)('the target %s by an earlier apply (an earlier build): removed and unpacked again from the shipped tarball', async (status) => {
    const fake = host({ releases: [{ vsn: OLD, status: 'permanent' }, { vsn: NEW, status }] });
    const { result, steps } = await apply(fake);
    expect(result!.hosts[0]!.outcome).toBe('upgraded');
    // Removed before the tarball is shipped: remove_release deletes releases/VSN/.
    expect(steps.filter((x) => /^(replace|ship|unpack):done$/.test(x))).toEqual(['replace:done', 'ship:done', 'unpack:done']);
    expect(fake.ops('call:remove_release')).toEqual([`call:remove_release ${NEW}`]);
    expect(fake.ops('call:unpack_release')).toEqual([`call:unpack_release ${NEW}/shop`]);
    expect(fake.bootsNext).toBe(NEW);
  });

  test('its good twin: a rollback to an installed release ships nothing and removes nothing', async () => {
    const fake = host();
    fake.unhealthy.add(NEW);
    const health = { probe: { kind: 'command' as const, command: 'check-health' }, timeoutMs: 100, retries: 0, intervalMs: 1 };
    await apply(fake, [], { health });
    expect(fake.ops('call:remove_release')).toEqual([]);
    expect(fake.running).toBe(OLD);
  });

  test('remove_release refused: stopped before any change, the earlier build stays', async () => {
    const fake = host({ releases: [{ vsn: OLD, status: 'permanent' }, { vsn: NEW, status: 'unpacked' }] });
    const { error } = await apply(fake, [{ op: 'call:remove_release', reply: rhError('eacces') }]);
    expect(error!.code).toBe('UPGRADE_FAILED');
    expect(error!.untouched).toBe(true);
    expect(error!.remedy).toMatch(/remove_release\("0\.2\.0"\)/);
    expect(fake.running).toBe(OLD);
  });

  test('a plain mix release gets its RELEASES made first', async () => {
    const fake = host({ noReleasesFile: true });
    const { result, steps } = await apply(fake);
    expect(result!.hosts[0]!.outcome).toBe('upgraded');
    expect(steps).toContain('bootstrap:done');
    expect(fake.ops('call:create_releases')).toEqual([`call:create_releases ${OLD}`]);
  });

  test('not confirmed: ABORTED, nothing shipped, the lock freed', async () => {
    const fake = host();
    const { ctx } = fakeContext([fake]);
    const no = async () => { throw new HotupError('ABORTED', 'not confirmed; nothing was changed', 'Answer y.'); };
    await expect(runApply(ctx, 'prod', {}, no, async () => fakePlan([fake], OLD, NEW))).rejects.toMatchObject({ code: 'ABORTED' });
    expect(fake.ops('put')).toEqual([]);
    expect(fake.locked).toBe(false);
    expect(fake.running).toBe(OLD);
  });

  test('ship: disk full on put → UPLOAD_FAILED, temp file removed, node untouched, lock freed', async () => {
    const fake = host();
    const { error, steps } = await apply(fake, [{ op: 'put', error: new HotupError('UPLOAD_FAILED', 'write failed: No space left on device', 'Free disk space.') }]);
    expect(error!.code).toBe('UPLOAD_FAILED');
    expect(error!.results![0]!.outcome).toBe('failed');
    expect(steps).toContain('ship:fail');
    expect(steps).not.toContain('unpack:start');
    expect([...fake.files.keys()].filter((k) => k.includes('.tar.gz'))).toEqual([]);
    expect(fake.ops('run:rm')).toHaveLength(1);
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('ship: a corrupted transfer (sha256 mismatch) → UPLOAD_FAILED, nothing renamed into place', async () => {
    const fake = host();
    const corrupt: Fault['effect'] = (s) => {
      for (const k of s.files.keys()) if (k.includes('.hotup-')) s.files.set(k, `sha256:${'0'.repeat(64)}`);
    };
    const { error } = await apply(fake, [{ op: 'run:ship-commit', effect: corrupt }]);
    expect(error!.code).toBe('UPLOAD_FAILED');
    expect(error!.message).toMatch(/sha256 is 0{64}, expected/);
    expect([...fake.files.keys()].filter((k) => k.endsWith('shop.tar.gz') || k.includes('.hotup-'))).toEqual([]);
    expect(fake.locked).toBe(false);
  });

  test('unpack: release_handler refuses → UPGRADE_FAILED, untouched: no rollback', async () => {
    const fake = host();
    const { error, steps } = await apply(fake, [{ op: 'call:unpack_release', reply: rhError('enospc') }]);
    expect(error!.code).toBe('UPGRADE_FAILED');
    expect(error!.message).toMatch(/unpack_release\("0\.2\.0\/shop"\) returned \{error,enospc\}/);
    expect(error!.results![0]!.outcome).toBe('failed');
    expect(steps).not.toContain('rollback:start');
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('check_install: refused → UPGRADE_FAILED, the release stays unpacked, no rollback', async () => {
    const fake = host();
    const { error, steps } = await apply(fake, [{ op: 'call:check_install_release', reply: rhError('old_processes') }]);
    expect(error!.code).toBe('UPGRADE_FAILED');
    expect(steps).not.toContain('install:start');
    expect(steps).not.toContain('rollback:start');
    expect(fake.releases.find((r) => r.vsn === NEW)?.status).toBe('unpacked');
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('install: refused before the point of no return → UPGRADE_FAILED, no rollback', async () => {
    const fake = host();
    const { error, steps } = await apply(fake, [{ op: 'call:install_release', reply: rhError('bad_relup_file') }]);
    expect(error!.code).toBe('UPGRADE_FAILED');
    expect(steps).not.toContain('rollback:start');
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('install: the node dies and comes back on the old release → ROLLED_BACK, serves the old one', async () => {
    const fake = host();
    const { error, steps } = await apply(fake, [{ op: 'call:install_release', error: 'CALL_FAILED', effect: FakeHost.nodeDies('old', { old: OLD, new: NEW }) }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).message).toMatch(/stopped answering during release_handler:install_release\("0\.2\.0"\); it came back and runs 0\.1\.0/);
    expect(steps).toContain('rollback:done');
    expect(fake.running).toBe(OLD);
    expect(fake.bootsNext).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('install: the node comes back but is still booting → hotup waits for its boot script before asking what it runs', async () => {
    const fake = host();
    const starting: Term = { kind: 'tuple', items: [{ kind: 'atom', name: 'starting' }, { kind: 'atom', name: 'started' }] };
    const { error } = await apply(fake, [
      { op: 'call:install_release', error: 'CALL_FAILED', effect: FakeHost.nodeDies('old', { old: OLD, new: NEW }) },
      { op: 'call:boot_status', reply: starting },
    ]);
    expect((error!.cause as HotupError).message).toMatch(/it came back and runs 0\.1\.0/);
    // Until init has run the boot script release_handler is not there: which_releases would fail with noproc.
    const after = fake.log.slice(fake.log.findIndex((l) => l.startsWith('call:install_release')));
    const calls = after.filter((l) => l.startsWith('call:boot_status') || l.startsWith('call:which_releases'));
    expect(calls.slice(0, 3).map((l) => l.split(' ')[0])).toEqual(['call:boot_status', 'call:boot_status', 'call:which_releases']);
  });

  test('install: the node dies and comes back on the new release (not permanent) → rolled back to the old one', async () => {
    const fake = host();
    const { error } = await apply(fake, [{ op: 'call:install_release', error: 'NODE_DOWN', effect: FakeHost.nodeDies('new', { old: OLD, new: NEW }) }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).message).toMatch(/came back and runs 0\.2\.0/);
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('install: the node dies for good → NODE_DOWN, then a rollback by restart brings the old release up', async () => {
    const fake = host();
    const { error, steps } = await apply(fake, [{ op: 'call:install_release', error: 'NODE_DOWN', effect: FakeHost.nodeDies(null, { old: OLD, new: NEW }) }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('NODE_DOWN');
    expect(steps).toEqual(expect.arrayContaining(['set_boot:done', 'restart:done', 'rollback:done']));
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('install: the SSH link is lost for good → LINK_LOST, no rollback tried, the lock cannot be freed', async () => {
    const fake = host();
    const { error, steps } = await apply(fake, [{ op: 'call:install_release', gone: true }]);
    expect(error!.code).toBe('LINK_LOST');
    expect(steps).not.toContain('rollback:start');
    // The node was not touched by the simulated loss; the lock stays until `hotup lock release`.
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(true);
  });

  test('install: a link blip (one LINK_LOST) → LINK_LOST, no rollback, lock freed over the link that is back', async () => {
    const fake = host();
    const { error, steps } = await apply(fake, [{ op: 'call:install_release', error: 'LINK_LOST' }]);
    expect(error!.code).toBe('LINK_LOST');
    expect(steps).not.toContain('rollback:start');
    expect(fake.locked).toBe(false);
  });

  test('make_permanent: refused → rolled back hot through the down-path', async () => {
    const fake = host();
    const { error, steps } = await apply(fake, [{ op: 'call:make_permanent', reply: rhError('not_writable') }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect(error!.results![0]!.outcome).toBe('rolled_back');
    expect(steps).toContain('rollback:done');
    // Hot: no restart happened.
    expect(fake.ops('run:stop')).toEqual([]);
    expect(fake.running).toBe(OLD);
    expect(fake.statusOf('permanent')).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('verify: start_erl.data not rewritten by make_permanent → VERIFY_FAILED, rolled back', async () => {
    const fake = host();
    // release_handler says ok but changes nothing: the node still has the new release only current.
    const { error, steps } = await apply(fake, [{ op: 'call:make_permanent', reply: { kind: 'atom', name: 'ok' } }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('VERIFY_FAILED');
    expect(steps).toContain('verify:fail');
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('health: the new release is unhealthy → rolled back hot; the health check passes on the old one', async () => {
    const fake = host();
    fake.unhealthy.add(NEW);
    const health = { probe: { kind: 'command' as const, command: 'check-health' }, timeoutMs: 100, retries: 1, intervalMs: 1 };
    const { error, steps } = await apply(fake, [], { health });
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('HEALTH_FAILED');
    expect(steps.filter((s) => s.startsWith('health:') && !s.endsWith('start'))).toEqual(['health:fail', 'health:done']);
    expect(fake.ops('run:shell')).toHaveLength(3);
    expect(fake.running).toBe(OLD);
    // The unhealthy release was never made permanent: no restart could have booted it.
    expect(fake.ops('call:make_permanent')).toEqual([]);
    expect(fake.releases.find((r) => r.vsn === OLD)!.status).toBe('permanent');
    expect(fake.bootsNext).toBe(OLD);
    expect(fake.locked).toBe(false);
    expect(fake.journal().some((j) => j.step === 'rollback' && j.result === 'done')).toBe(true);
  });

  test('health without a check: the node not answering after install → rolled back by restart', async () => {
    const fake = host();
    // The node goes away right after install; a restart into the old release brings it back.
    const { error, steps } = await apply(fake, [{ op: 'nodeUp', effect: (s) => { s.up = false; } }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('HEALTH_FAILED');
    expect(steps).toEqual(expect.arrayContaining(['health:fail', 'set_boot:done', 'restart:done', 'rollback:done']));
    expect(fake.running).toBe(OLD);
    expect(fake.bootsNext).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('verify_code: installed, but a changed module still runs its old bytes → VERIFY_FAILED, rolled back, never permanent', async () => {
    const fake = host();
    fake.staleCode.set(NEW, ['shop_counter']);
    const { error, steps } = await apply(fake);
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('VERIFY_FAILED');
    expect((error!.cause as HotupError).message).toMatch(/shop_counter runs other bytes than the release's beam/);
    expect(steps).toEqual(expect.arrayContaining(['verify_code:fail', 'rollback:done']));
    // No health check of the release that is not live: the rollback's own check is of the old one.
    expect(steps.slice(0, steps.indexOf('rollback:start'))).not.toContain('health:start');
    expect(fake.ops('call:make_permanent')).toEqual([]);
    expect(fake.running).toBe(OLD);
    expect(fake.bootsNext).toBe(OLD);
  });

  test('rollback: it fails too → UPGRADE_FAILED naming both, the host left for a person', async () => {
    const fake = host();
    fake.unhealthy.add(NEW);
    const health = { probe: { kind: 'command' as const, command: 'check-health' }, timeoutMs: 100, retries: 0, intervalMs: 1 };
    const { error, steps } = await apply(fake, [{ op: 'call:install_release', nth: 2, reply: rhError('no_down_path') }], { health });
    expect(error!.code).toBe('UPGRADE_FAILED');
    expect(error!.message).toMatch(/rollback to 0\.1\.0 failed too/);
    expect(error!.results![0]!.outcome).toBe('failed');
    expect(steps).toContain('rollback:fail');
    expect(fake.running).toBe(NEW);
    expect(fake.bootsNext).toBe(OLD);
    expect(error!.message).toMatch(/now runs 0\.2\.0, installed but not permanent: a restart boots 0\.1\.0/);
    expect(fake.locked).toBe(false);
  });

  test('a LINK_LOST from any Host method surfaces as LINK_LOST from the flow', async () => {
    for (const op of ['read', 'run:ship-prepare', 'put', 'run:ship-commit', 'call:which_releases', 'call:unpack_release', 'call:make_permanent'] as const) {
      const fake = host();
      const { error } = await apply(fake, [{ op, error: 'LINK_LOST' }]);
      expect(error?.code, op).toBe('LINK_LOST');
      expect(fake.locked, op).toBe(false);
    }
  });

  test('a link lost for good after the upload: no rollback is tried, and the remedy says how to look and free the lock later', async () => {
    const fake = host();
    const { error, steps } = await apply(fake, [{ op: 'call:install_release', gone: true }]);
    expect(error!.code).toBe('LINK_LOST');
    expect(error!.message).toMatch(/while upgrading to 0\.2\.0/);
    expect(error!.remedy).toMatch(/hotup status prod.*hotup apply prod.*hotup lock release prod/);
    expect(steps).not.toContain('rollback:start');
    // The host cannot be reached to give the lock back: the remedy names the command that does.
    expect(fake.locked).toBe(true);
  });
});
