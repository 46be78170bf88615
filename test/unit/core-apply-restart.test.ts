/** The restart path of apply over a fake host: unpack → set_boot → restart → verify → health, with a fault at each step and the rollback by restart. */
import { describe, expect, test } from 'vitest';
import type { HotupError } from '../../src/errors.js';
import { runApply } from '../../src/core/deploy.js';
import type { ApplyResult } from '../../src/core/results.js';
import type { EnvironmentConfig } from '../../src/config/types.js';
import { FakeHost, fakeContext, fakePlan, rhError, RESTART_COMMAND, stepsOf, type Fault } from '../support/fake-host.js';

const OLD = '0.1.0';
const NEW = '0.2.0';

function host(o: Partial<ConstructorParameters<typeof FakeHost>[0]> = {}): FakeHost {
  return new FakeHost({ name: 'deploy@a:22', releases: [{ vsn: OLD, status: 'permanent' }], ...o });
}

async function restart(fake: FakeHost, faults: Fault[] = [], env: Partial<EnvironmentConfig> = {}) {
  for (const f of faults) fake.fail(f);
  const { ctx, events } = fakeContext([fake], env);
  try {
    const result = await runApply(ctx, 'prod', { restart: true }, async () => undefined, async () => fakePlan([fake], OLD, NEW, { hotRollback: false }));
    return { result, steps: stepsOf(events, fake.name) };
  } catch (e) {
    return { error: e as HotupError & { results?: ApplyResult['hosts'] }, steps: stepsOf(events, fake.name) };
  }
}

describe('apply --restart', () => {
  test('unpacks through release_handler, sets the boot release, restarts, verifies; downtime measured', async () => {
    const fake = host();
    const { result, steps } = await restart(fake);
    expect(result!.hosts[0]).toMatchObject({ outcome: 'upgraded', execution: 'restart' });
    expect(result!.hosts[0]!.downtimeMs).toBeGreaterThanOrEqual(0);
    expect(steps.filter((s) => !s.endsWith(':start'))).toEqual(['ship:done', 'bootstrap:skip', 'unpack:done', 'set_boot:done', 'restart:done', 'verify:done', 'health:done']);
    expect(fake.ops('run:stop')).toHaveLength(1);
    expect(fake.ops('run:daemon')).toHaveLength(1);
    expect(fake.running).toBe(NEW);
    expect(fake.bootsNext).toBe(NEW);
    expect(fake.locked).toBe(false);
  });

  test('a configured restart command is used instead of stop and daemon', async () => {
    const fake = host();
    const { result } = await restart(fake, [], { restart: { kind: 'command', command: RESTART_COMMAND } });
    expect(result!.hosts[0]!.outcome).toBe('upgraded');
    expect(fake.ops('run:stop')).toEqual([]);
    expect(fake.ops('run:shell')).toHaveLength(1);
    expect(fake.running).toBe(NEW);
  });

  test('a node that is down: the shipped tarball is unpacked by hand and the node started', async () => {
    const fake = host({ up: false });
    const { result, steps } = await restart(fake);
    expect(result!.hosts[0]!.outcome).toBe('upgraded');
    expect(steps).toContain('unpack:done');
    expect(fake.ops('run:extract')).toHaveLength(1);
    expect(fake.ops('run:stop')).toEqual([]);
    expect(fake.running).toBe(NEW);
  });

  test('an earlier build of the target, only unpacked: replaced by the shipped one before the restart', async () => {
    const fake = host({ releases: [{ vsn: OLD, status: 'permanent' }, { vsn: NEW, status: 'unpacked' }] });
    const { result } = await restart(fake);
    expect(result!.hosts[0]!.outcome).toBe('upgraded');
    expect(fake.ops('call:remove_release')).toEqual([`call:remove_release ${NEW}`]);
    expect(fake.ops('call:unpack_release')).toHaveLength(1);
    expect(fake.running).toBe(NEW);
  });

  test('node down, the target installed by an earlier build: the shipped tarball is unpacked over it', async () => {
    const fake = host({ up: false, releases: [{ vsn: OLD, status: 'permanent' }, { vsn: NEW, status: 'unpacked' }] });
    const { result } = await restart(fake);
    expect(result!.hosts[0]!.outcome).toBe('upgraded');
    expect(fake.ops('run:extract')).toHaveLength(1);
    expect(fake.running).toBe(NEW);
  });

  test('unpack: release_handler refuses → UPGRADE_FAILED, untouched, no restart', async () => {
    const fake = host();
    const { error, steps } = await restart(fake, [{ op: 'call:unpack_release', reply: rhError('enospc') }]);
    expect(error!.code).toBe('UPGRADE_FAILED');
    expect(error!.untouched).toBe(true);
    expect(steps).not.toContain('rollback:start');
    expect(fake.ops('run:stop')).toEqual([]);
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('set_boot: the helper fails → rolled back by restart, the old release boots and runs', async () => {
    const fake = host();
    const { error, steps } = await restart(fake, [{ op: 'helper:set-boot', error: 'HELPER_FAILED' }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('HELPER_FAILED');
    expect(steps).toContain('set_boot:fail');
    expect(steps).toContain('rollback:done');
    expect(fake.running).toBe(OLD);
    expect(fake.bootsNext).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('restart: the daemon command fails → rolled back by restart into the old release', async () => {
    const fake = host();
    const { error, steps } = await restart(fake, [{ op: 'run:daemon', exit: { code: 1, stderr: 'cannot start' } }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('COMMAND_FAILED');
    expect(steps).toContain('restart:fail');
    expect(fake.running).toBe(OLD);
    expect(fake.bootsNext).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('restart: the new release crashes at boot → NODE_DOWN, rolled back by restart; downtime recorded on neither', async () => {
    const fake = host();
    fake.crashesAtBoot.add(NEW);
    const { error, steps } = await restart(fake);
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('NODE_DOWN');
    expect(error!.results![0]).toMatchObject({ outcome: 'rolled_back', execution: 'restart' });
    expect(steps.filter((s) => s.startsWith('restart:') && !s.endsWith('start'))).toEqual(['restart:fail', 'restart:done']);
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('verify: the node does not report the new release permanent after the restart → VERIFY_FAILED, rolled back', async () => {
    const fake = host();
    // which_releases is asked before ship (an earlier build to replace?), at unpack, after the restart (what runs), then at verify: that fourth answer lacks the new release.
    const { error, steps } = await restart(fake, [{ op: 'call:which_releases', nth: 4, reply: { kind: 'list', items: [] } }]);
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('VERIFY_FAILED');
    expect(steps).toContain('verify:fail');
    expect(fake.running).toBe(OLD);
    expect(fake.bootsNext).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('health: the new release is unhealthy → rolled back by restart, healthy again on the old one', async () => {
    const fake = host();
    fake.unhealthy.add(NEW);
    const health = { probe: { kind: 'command' as const, command: 'check-health' }, timeoutMs: 100, retries: 0, intervalMs: 1 };
    const { error, steps } = await restart(fake, [], { health });
    expect(error!.code).toBe('ROLLED_BACK');
    expect((error!.cause as HotupError).code).toBe('HEALTH_FAILED');
    expect(steps).toEqual(expect.arrayContaining(['health:fail', 'health:done', 'rollback:done']));
    expect(fake.running).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('rollback: the old release crashes at boot too → UPGRADE_FAILED, the node left down for a person', async () => {
    const fake = host();
    fake.crashesAtBoot.add(NEW);
    fake.crashesAtBoot.add(OLD);
    const { error, steps } = await restart(fake);
    expect(error!.code).toBe('UPGRADE_FAILED');
    expect(error!.message).toMatch(/rollback to 0\.1\.0 failed too/);
    expect(steps).toContain('rollback:fail');
    expect(fake.up).toBe(false);
    expect(fake.locked).toBe(false);
  });

  test('restart: the link is lost while the node restarts → LINK_LOST, no rollback over a dead link', async () => {
    const fake = host();
    const { error, steps } = await restart(fake, [{ op: 'run:daemon', gone: true }]);
    expect(error!.code).toBe('LINK_LOST');
    expect(steps).not.toContain('rollback:start');
    expect(fake.locked).toBe(true);
  });
});
