/** The restart path through a systemd unit over a fake host: restart, unit active, node started, release read back; sudo refusals and a failed unit. */
import { describe, expect, test } from 'vitest';
import type { HotupError } from '../../src/errors.js';
import { runApply } from '../../src/core/deploy.js';
import type { ApplyResult } from '../../src/core/results.js';
import type { RestartConfig } from '../../src/config/types.js';
import { journalTailArgv, parseUnitState, sudoAllowedArgv, sudoersLine, sudoRefused, systemctlRestartArgv, systemctlShowArgv } from '../../src/commands/restart.js';
import { FakeHost, fakeContext, fakePlan, stepsOf } from '../support/fake-host.js';

const OLD = '0.1.0';
const NEW = '0.2.0';
const UNIT: RestartConfig = { kind: 'systemd', unit: 'shop', sudo: true };

async function restart(fake: FakeHost, restartHow: RestartConfig = UNIT) {
  const { ctx, events } = fakeContext([fake], { restart: restartHow });
  try {
    const result = await runApply(ctx, 'prod', { restart: true }, async () => undefined, async () => fakePlan([fake], OLD, NEW, { hotRollback: false }));
    return { result, events, steps: stepsOf(events, fake.name) };
  } catch (e) {
    return { error: e as HotupError & { results?: ApplyResult['hosts'] }, events, steps: stepsOf(events, fake.name) };
  }
}

const host = () => new FakeHost({ name: 'deploy@a:22', releases: [{ vsn: OLD, status: 'permanent' }] });

describe('systemd builders', () => {
  test('restart through sudo -n, state without privilege, the sudoers line for exactly the privileged commands', () => {
    const u = { unit: 'shop', sudo: true };
    expect(systemctlRestartArgv(u)).toEqual(['sudo', '-n', 'systemctl', 'restart', 'shop']);
    expect(systemctlRestartArgv({ unit: 'shop', sudo: false })).toEqual(['systemctl', 'restart', 'shop']);
    expect(sudoAllowedArgv(u)).toEqual(['sudo', '-n', '-l', 'systemctl', 'restart', 'shop']);
    expect(systemctlShowArgv(u)).toEqual(['systemctl', 'show', '--property=ActiveState,SubState,MainPID', 'shop']);
    expect(journalTailArgv(u)).toEqual(['sudo', '-n', 'journalctl', '-u', 'shop', '-n', '20', '--no-pager']);
    expect(sudoersLine(u, 'deploy')).toBe('deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart shop, /usr/bin/journalctl -u shop -n 20 --no-pager');
    expect(sudoRefused('sudo: a password is required\n')).toBe(true);
    expect(sudoRefused('Job for shop.service failed.\n')).toBe(false);
  });

  test('systemctl show output parsed; nothing about the state is null', () => {
    expect(parseUnitState('ActiveState=active\nSubState=running\nMainPID=123\n')).toEqual({ active: 'active', sub: 'running', mainPid: 123 });
    expect(parseUnitState('ActiveState=failed\nSubState=failed\nMainPID=0\n')).toEqual({ active: 'failed', sub: 'failed', mainPid: 0 });
    expect(parseUnitState('')).toBeNull();
  });
});

describe('apply --restart through systemd', () => {
  test('systemctl restart, the unit active, the node started; the release it runs read back into the step', async () => {
    const fake = host();
    const { result, events } = await restart(fake);
    expect(result!.hosts[0]).toMatchObject({ outcome: 'upgraded', execution: 'restart' });
    expect(result!.hosts[0]!.downtimeMs).toBeGreaterThanOrEqual(0);
    expect(fake.ops('run:sudo-check')).toHaveLength(1);
    expect(fake.ops('run:systemctl-restart')).toEqual(['run:systemctl-restart sudo -n systemctl restart shop']);
    expect(fake.ops('run:systemctl-show').length).toBeGreaterThanOrEqual(1);
    expect(fake.ops('run:stop')).toEqual([]);
    expect(fake.ops('run:daemon')).toEqual([]);
    const done = events.find((e) => e.type === 'step' && e.step === 'restart' && e.phase === 'done');
    expect(done).toMatchObject({ detail: expect.stringMatching(/^node back \(systemctl restart shop\) running 0\.2\.0, downtime/) });
    expect(fake.running).toBe(NEW);
    expect(fake.bootsNext).toBe(NEW);
  });

  test('sudo -n refuses: stopped before any change, the sudoers line as the remedy', async () => {
    const fake = host();
    fake.sudoAllowed = false;
    const { error, steps } = await restart(fake);
    expect(error!.code).toBe('COMMAND_FAILED');
    expect(error!.untouched).toBe(true);
    expect(error!.message).toMatch(/sudo -n refused `systemctl restart shop`: sudo: a password is required/);
    expect(error!.remedy).toContain('deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart shop');
    expect(steps).not.toContain('set_boot:start');
    expect(fake.ops('helper:set-boot')).toEqual([]);
    expect(fake.running).toBe(OLD);
    expect(fake.bootsNext).toBe(OLD);
    expect(fake.locked).toBe(false);
  });

  test('the unit fails on the new release: its journal in the error, rolled back by systemctl restart into the old one', async () => {
    const fake = host();
    fake.crashesAtBoot.add(NEW);
    const { error } = await restart(fake);
    expect(error!.code).toBe('ROLLED_BACK');
    const cause = error!.cause as HotupError;
    expect(cause.code).toBe('NODE_DOWN');
    expect(cause.message).toMatch(/the unit shop failed after systemctl restart \(ActiveState=failed, SubState=failed\); journalctl -u shop -n 20:\n {4}shop\[4242\]: boot of 0\.2\.0 crashed/);
    expect(cause.remedy).toMatch(/systemctl start shop/);
    expect(fake.ops('run:journalctl')).toEqual(['run:journalctl sudo -n journalctl -u shop -n 20 --no-pager']);
    expect(fake.ops('run:systemctl-restart')).toHaveLength(2);
    expect(fake.running).toBe(OLD);
    expect(fake.unitActive).toBe('active');
  });

  test('the unit active but its node never starting: the wait ends with the unit\'s state and journal, then the rollback', async () => {
    const fake = host();
    // systemctl restart answers 0, the unit stays active, the VM never comes up.
    fake.fail({ op: 'run:systemctl-restart', exit: { code: 0 }, effect: (sim) => { sim.up = false; } });
    const { error } = await restart(fake);
    expect(error!.code).toBe('ROLLED_BACK');
    const cause = error!.cause as HotupError;
    expect(cause.message).toMatch(/^the unit shop is active but its node did not start within 0 s of systemctl restart \(ActiveState=active, SubState=running\); journalctl -u shop -n 20:/);
    expect(fake.running).toBe(OLD);
  });

  test('without sudo: systemctl runs as the deploy user, nothing asked of sudo', async () => {
    const fake = host();
    const { result } = await restart(fake, { kind: 'systemd', unit: 'shop', sudo: false });
    expect(result!.hosts[0]!.outcome).toBe('upgraded');
    expect(fake.ops('run:sudo-check')).toEqual([]);
    expect(fake.ops('run:systemctl-restart')).toEqual(['run:systemctl-restart systemctl restart shop']);
  });
});
