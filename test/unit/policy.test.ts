import { describe, expect, test } from 'vitest';
import { execution } from '../../src/plan/policy.js';
import { waves } from '../../src/plan/rollout.js';
import type { HostPlan, PlanReason } from '../../src/plan/types.js';

const reason = (rule: string, severity: PlanReason['severity'], effect: PlanReason['effect']): PlanReason => ({ rule, severity, effect, message: rule, remedy: 'r' });
function refusal(f: () => unknown): { message: string; remedy: string } {
  try {
    f();
  } catch (e) {
    return e as { message: string; remedy: string };
  }
  throw new Error('expected a refusal');
}

const host = (action: HostPlan['action'], reasons: PlanReason[] = []): HostPlan => ({
  host: 'h', from: '1', to: '2', action, reasons, instructions: [], hotRollback: true, warnings: [],
});

describe('what apply does with a decision', () => {
  test('hot goes hot, noop does nothing, --restart restarts', () => {
    expect(execution(host('hot'), {})).toBe('hot');
    expect(execution(host('noop'), { restart: true })).toBe('noop');
    expect(execution(host('hot'), { restart: true })).toBe('restart');
  });

  test('the running version built with other code: no flag goes ahead', () => {
    const h = { ...host('blocked', [reason('release/same-version-new-bytes', 'error', 'block')]), to: '1' };
    for (const c of [{}, { force: true }, { restart: true }, { force: true, restart: true }]) {
      expect(refusal(() => execution(h, c)).message).toMatch(/the build has the version the host runs, with other code/);
    }
  });

  test('a restart decision with only warnings restarts on its own', () => {
    expect(execution(host('restart', [reason('relup/restart-emulator', 'warning', 'restart')]), {})).toBe('restart');
  });

  test('errors a restart avoids: refused unless --restart, or --force where an up-path exists', () => {
    const h = host('restart', [reason('module/not-loaded', 'error', 'restart')]);
    expect(refusal(() => execution(h, {}))).toMatchObject({
      message: expect.stringMatching(/ruled out by errors that a restart would avoid; nothing was changed/),
      remedy: expect.stringMatching(/--restart to restart into the new release, --force to go hot anyway/),
    });
    expect(execution(h, { restart: true })).toBe('restart');
    expect(execution(h, { force: true })).toBe('hot');
    const noPath = host('restart', [reason('relup/no-up-path', 'error', 'restart')]);
    expect(refusal(() => execution(noPath, { force: true })).remedy).toMatch(/pass --restart/);
  });

  test('blocked is refused; --force overrides', () => {
    const h = host('blocked', [reason('app/version-not-bumped', 'error', 'block')]);
    expect(refusal(() => execution(h, {})).message).toMatch(/the upgrade is blocked/);
    expect(refusal(() => execution(h, { restart: true })).message).toMatch(/rule out a restart too/);
    expect(execution(h, { force: true })).toBe('hot');
    expect(execution(h, { force: true, restart: true })).toBe('restart');
  });
});

describe('rollout waves', () => {
  test('rolling, parallel, canary', () => {
    expect(waves([0, 1, 2], { parallel: 1, canary: 0 })).toEqual([[0], [1], [2]]);
    expect(waves([0, 1, 2, 3, 4], { parallel: 2, canary: 0 })).toEqual([[0, 1], [2, 3], [4]]);
    expect(waves([0, 1, 2, 3], { parallel: 3, canary: 1 })).toEqual([[0], [1, 2, 3]]);
    expect(waves([0, 1, 2, 3], { parallel: 1, canary: 2 })).toEqual([[0], [1], [2], [3]]);
    expect(waves([], { parallel: 2, canary: 1 })).toEqual([]);
  });
});
