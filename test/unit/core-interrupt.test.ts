/**
 * Ctrl-C while hosts change, through the real signal handler of the deploy
 * lock (process.emit delivers the signal to it): a stop before a host's install
 * leaves it untouched; a host past its install finishes; the lock is freed.
 */
import { describe, expect, test } from 'vitest';
import type { HotupError } from '../../src/errors.js';
import { runApply } from '../../src/core/deploy.js';
import type { ApplyResult } from '../../src/core/results.js';
import { EXIT, exitCodeFor } from '../../src/report/exit-codes.js';
import { FakeHost, fakeContext, fakePlan, stepsOf } from '../support/fake-host.js';

const OLD = '0.1.0';
const NEW = '0.2.0';
const ctrlC = () => { process.emit('SIGINT', 'SIGINT'); };

function hosts(n: number): FakeHost[] {
  return Array.from({ length: n }, (_, i) => new FakeHost({ name: `deploy@h${i}:22`, releases: [{ vsn: OLD, status: 'permanent' }] }));
}

async function applyTo(fakes: FakeHost[], health?: boolean) {
  const { ctx, events } = fakeContext(fakes, health ? { health: { probe: { kind: 'command', command: 'check' }, timeoutMs: 100, retries: 0, intervalMs: 1 } } : {});
  try {
    const result = await runApply(ctx, 'prod', { parallel: 1 }, async () => undefined, async () => fakePlan(fakes, OLD, NEW));
    return { result, events, code: EXIT.ok as number };
  } catch (e) {
    return { error: e as HotupError & { results?: ApplyResult['hosts'] }, events, code: exitCodeFor(e) };
  }
}

describe('a signal while hosts change', () => {
  test('during the upload: stopped before the install, the node untouched, lock freed, exit 6', async () => {
    const [fake] = hosts(1);
    fake!.fail({ op: 'put', effect: ctrlC });
    const { error, events, code } = await applyTo([fake!]);
    expect(error!.code).toBe('ABORTED');
    expect(error!.message).toMatch(/SIGINT received: stopped before installing 0\.2\.0/);
    expect(code).toBe(EXIT.aborted);
    expect(error!.results![0]!.outcome).toBe('untouched');
    expect(fake!.ops('call:install_release')).toEqual([]);
    expect(fake!.running).toBe(OLD);
    expect(fake!.locked).toBe(false);
    expect(events.some((e) => e.type === 'log' && /stopping at the next safe point/.test(e.message))).toBe(true);
  });

  test('during the install: the host finishes (code check, health, make_permanent), then the command ends', async () => {
    const [fake] = hosts(1);
    fake!.fail({ op: 'call:install_release', effect: ctrlC });
    const { result, events } = await applyTo([fake!]);
    expect(result!.hosts[0]!.outcome).toBe('upgraded');
    expect(stepsOf(events, fake!.name)).toEqual(expect.arrayContaining(['verify_code:done', 'health:done', 'make_permanent:done', 'verify:done']));
    expect(fake!.bootsNext).toBe(NEW);
    expect(fake!.locked).toBe(false);
  });

  test('during a rollback: the rollback finishes', async () => {
    const [fake] = hosts(1);
    fake!.unhealthy.add(NEW);
    // The rollback's install of the old release is the second install_release.
    fake!.fail({ op: 'call:install_release', nth: 2, effect: ctrlC });
    const { error, code } = await applyTo([fake!], true);
    expect(error!.code).toBe('ROLLED_BACK');
    expect(code).toBe(EXIT.rolledBack);
    expect(fake!.running).toBe(OLD);
    expect(fake!.bootsNext).toBe(OLD);
  });

  test('a fleet, one host at a time: the host being installed finishes, the next is never touched; exit 1 (mixed versions)', async () => {
    const fakes = hosts(2);
    fakes[0]!.fail({ op: 'call:install_release', effect: ctrlC });
    const { error, code } = await applyTo(fakes);
    expect(error!.code).toBe('ABORTED');
    expect(error!.results!.map((h) => h.outcome)).toEqual(['upgraded', 'untouched']);
    expect(code).toBe(EXIT.failed);
    expect(fakes.map((f) => f.running)).toEqual([NEW, OLD]);
    expect(fakes[1]!.ops('put')).toEqual([]);
    expect(fakes.every((f) => !f.locked)).toBe(true);
  });
});
