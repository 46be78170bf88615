import { describe, expect, test } from 'vitest';
import { compareVersions, versionRules } from '../../src/validate/version.js';
import { decide } from '../../src/plan/decide.js';

describe('compareVersions', () => {
  test.each([
    ['0.2.0', '0.1.0', 1],
    ['0.10.0', '0.9.0', 1],
    ['1.0.0', '1.0.0-rc.1', 1],
    ['1.0.0', '1.0.0', 0],
    ['0.1.0', '0.2.0', -1],
    // YYYY.M.DDHHMM: the first of the month at 09:05 is 010905, which semver would refuse.
    ['2024.5.010905', '2024.4.311200', 1],
    ['2024.5.311200', '2024.5.010905', 1],
    ['2024.10.10000', '2024.9.302359', 1],
    ['2024.5.10905', '2024.5.010905', 0],
    ['2023.12.312359', '2024.1.10000', -1],
  ])('%s vs %s → %i', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
  });

  test('different schemes cannot be ordered', () => {
    expect(compareVersions('2024.5.010905', '0.1.0')).toBeNull();
    expect(compareVersions('abc', '0.1.0')).toBeNull();
  });
});

describe('version/not-newer', () => {
  test('an older or equal target blocks, a newer one passes', () => {
    expect(versionRules('0.2.0', '0.3.0')).toEqual([]);
    const older = versionRules('0.2.0', '0.1.0');
    expect(older.map((f) => f.rule)).toEqual(['version/not-newer']);
    expect(older[0]!.remedy).toMatch(/hotup downgrade/);
    expect(decide(older)).toEqual({ kind: 'blocked', reasons: older });
    expect(versionRules('0.2.0', '0.2.0')[0]!.message).toMatch(/already running/);
  });

  test('an unorderable pair is only noted', () => {
    const f = versionRules('0.2.0', 'feature-x');
    expect(f.map((x) => [x.rule, x.severity])).toEqual([['version/unordered', 'info']]);
    expect(decide(f)).toEqual({ kind: 'hot', reasons: [] });
  });
});
