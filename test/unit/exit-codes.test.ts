/** Exit codes from whole flows over fake hosts: a script can tell "nothing changed" from "rolled back" from "look now". */
import { describe, expect, test } from 'vitest';
import { HotupError } from '../../src/errors.js';
import { runApply } from '../../src/core/deploy.js';
import { EXIT, exitCodeFor, inspectExitCode, planExitCode } from '../../src/report/exit-codes.js';
import { INSPECT_SCHEMA, NOT_CHECKED_OFFLINE, type InspectResult } from '../../src/core/inspect.js';
import type { Finding } from '../../src/validate/finding.js';
import { FakeHost, fakeContext, fakePlan, rhError, type Fault } from '../support/fake-host.js';

const OLD = '0.1.0';
const NEW = '0.2.0';

function hosts(n: number): FakeHost[] {
  return Array.from({ length: n }, (_, i) => new FakeHost({ name: `deploy@h${i}:22`, releases: [{ vsn: OLD, status: 'permanent' }] }));
}

/** The exit code of one apply over FAKES, with FAULTS on the first host. */
async function exitOf(fakes: FakeHost[], faults: Fault[] = [], o: { plan?: () => Promise<never>; confirm?: () => Promise<void>; health?: string } = {}): Promise<number> {
  for (const f of faults) fakes[0]!.fail(f);
  const { ctx } = fakeContext(fakes, o.health ? { health: { probe: { kind: 'command', command: o.health }, timeoutMs: 100, retries: 1, intervalMs: 1 } } : {});
  try {
    await runApply(ctx, 'prod', {}, o.confirm ?? (async () => undefined), o.plan ?? (async () => fakePlan(fakes, OLD, NEW)));
    return EXIT.ok;
  } catch (e) {
    return exitCodeFor(e);
  }
}

describe('exit codes of apply', () => {
  test('done: 0', async () => {
    expect(await exitOf(hosts(1))).toBe(0);
  });

  test('not confirmed: 6, nothing shipped', async () => {
    const fakes = hosts(1);
    const code = await exitOf(fakes, [], { confirm: async () => { throw new HotupError('ABORTED', 'not confirmed', 'Answer y.'); } });
    expect(code).toBe(EXIT.aborted);
    expect(fakes[0]!.ops('put')).toEqual([]);
  });

  test('the build fails: 5', async () => {
    const code = await exitOf(hosts(1), [], { plan: async () => { throw new HotupError('BUILD_FAILED', 'rebar3 failed', 'Fix the build.'); } });
    expect(code).toBe(EXIT.build);
  });

  test('a host unreachable while planning: 6 (nothing changed anywhere)', async () => {
    const code = await exitOf(hosts(2), [], { plan: async () => { throw new HotupError('SSH_CONNECT', 'connection refused', 'Check the host.'); } });
    expect(code).toBe(EXIT.aborted);
  });

  test('the lock is held: 4', async () => {
    const fakes = hosts(1);
    fakes[0]!.files.set('/srv/shop/releases/.hotup-lock/holder.json', '{"who":"someone"}');
    expect(await exitOf(fakes)).toBe(EXIT.locked);
  });

  test('the upload fails: 6, the node runs what it ran', async () => {
    const fakes = hosts(1);
    const code = await exitOf(fakes, [{ op: 'put', error: new HotupError('UPLOAD_FAILED', 'No space left on device', 'Free disk space.') }]);
    expect(code).toBe(EXIT.aborted);
    expect(fakes[0]!.running).toBe(OLD);
  });

  test('unpack refused by release_handler: 6', async () => {
    expect(await exitOf(hosts(1), [{ op: 'call:unpack_release', reply: rhError('enospc') }])).toBe(EXIT.aborted);
  });

  test('the node dies during install and comes back on the old release: 7', async () => {
    const fakes = hosts(1);
    const code = await exitOf(fakes, [{ op: 'call:install_release', error: 'CALL_FAILED', effect: FakeHost.nodeDies('old', { old: OLD, new: NEW }) }]);
    expect(code).toBe(EXIT.rolledBack);
    expect(fakes[0]!.running).toBe(OLD);
  });

  test('the health check fails after install and the node is rolled back: 7', async () => {
    const fakes = hosts(1);
    fakes[0]!.unhealthy.add(NEW);
    expect(await exitOf(fakes, [], { health: 'check' })).toBe(EXIT.rolledBack);
    expect(fakes[0]!.running).toBe(OLD);
  });

  test('the rollback fails too: 1, needs attention', async () => {
    const fakes = hosts(1);
    fakes[0]!.unhealthy.add(NEW);
    const code = await exitOf(fakes, [{ op: 'call:install_release', nth: 2, reply: rhError('no_such_release') }], { health: 'check' });
    expect(code).toBe(EXIT.failed);
  });

  test('a fleet where one host upgraded and the next stopped before any change: 1 (mixed versions)', async () => {
    const fakes = hosts(2);
    fakes[1]!.fail({ op: 'call:unpack_release', reply: rhError('enospc') });
    expect(await exitOf(fakes)).toBe(EXIT.failed);
    expect(fakes.map((f) => f.running)).toEqual([NEW, OLD]);
  });
});

describe('exit code of plan', () => {
  test('blocked on any host: 3; otherwise 0', () => {
    const fakes = hosts(2);
    const p = fakePlan(fakes, OLD, NEW);
    expect(planExitCode(p)).toBe(EXIT.ok);
    p.hosts[1] = { ...p.hosts[1]!, action: 'blocked' };
    expect(planExitCode(p)).toBe(EXIT.blocked);
  });
});

describe('exit code of inspect', () => {
  const finding = (effect: Finding['effect']): Finding => ({ rule: 'version/not-newer', severity: 'error', effect, message: 'm', remedy: 'r' });
  const result = (over: Partial<InspectResult>): InspectResult => ({
    schema: INSPECT_SCHEMA, artifact: 'a', kind: 'release', vsn: NEW, release: null, findings: [], paths: [], old: null, notChecked: NOT_CHECKED_OFFLINE, ...over,
  });
  const path = (decision: 'hot' | 'restart' | 'blocked') => ({ direction: 'up' as const, vsn: OLD, present: true, instructions: [], groups: [], findings: [], decision });

  test('blocked on an up-path, or as a whole: 3; hot or restart: 0', () => {
    expect(inspectExitCode(result({ paths: [path('hot'), path('restart')] }))).toBe(EXIT.ok);
    expect(inspectExitCode(result({ paths: [path('hot'), path('blocked')] }))).toBe(EXIT.blocked);
    expect(inspectExitCode(result({ findings: [finding('restart')] }))).toBe(EXIT.ok);
    expect(inspectExitCode(result({ findings: [finding('block')] }))).toBe(EXIT.blocked);
  });
});
