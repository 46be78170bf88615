import { describe, expect, test } from 'vitest';
import { assessHost, type HostReadings } from '../../src/plan/host-status.js';
import { planHosts } from '../../src/plan/plan.js';
import type { ReleasesEntry } from '../../src/terms/model.js';

function rel(vsn: string, status: ReleasesEntry['status']): ReleasesEntry {
  return { name: 'shop', vsn, erts: '13.1.5', apps: [], status } as ReleasesEntry;
}

const base: HostReadings = {
  host: 'deploy@h1',
  startErl: { erts: '13.1.5', vsn: '0.1.0' },
  releasesFile: [rel('0.1.0', 'permanent')],
  live: { up: true, releases: [rel('0.1.0', 'permanent')] },
};

describe('assessHost', () => {
  test('all witnesses agree', () => {
    const s = assessHost(base);
    expect(s.running).toBe('0.1.0');
    expect(s.permanent).toBe('0.1.0');
    expect(s.disagreements).toEqual([]);
  });

  test('stale start_erl.data is reported', () => {
    const s = assessHost({
      ...base,
      releasesFile: [rel('0.2.0', 'permanent'), rel('0.1.0', 'old')],
      live: { up: true, releases: [rel('0.2.0', 'permanent'), rel('0.1.0', 'old')] },
    });
    expect(s.running).toBe('0.2.0');
    expect(s.disagreements.join('\n')).toMatch(/start_erl\.data names 0\.1\.0 but the live node's permanent release is 0\.2\.0/);
  });

  test('installed but not permanent: runs the current one, warns that a restart goes back', () => {
    const s = assessHost({ ...base, live: { up: true, releases: [rel('0.2.0', 'current'), rel('0.1.0', 'permanent')] } });
    expect(s.running).toBe('0.2.0');
    expect(s.disagreements.join('\n')).toMatch(/not made permanent/);
  });

  test('a down node falls back to start_erl.data', () => {
    const s = assessHost({ ...base, live: { up: false, reason: 'not running' } });
    expect(s.running).toBe('0.1.0');
    expect(s.permanent).toBe('0.1.0');
  });

  test('no RELEASES file (plain mix release) is not a disagreement', () => {
    const s = assessHost({ ...base, releasesFile: null });
    expect(s.disagreements).toEqual([]);
  });
});

describe('planHosts: an apply interrupted after install', () => {
  const interrupted = assessHost({ ...base, live: { up: true, releases: [rel('0.2.0', 'current'), rel('0.1.0', 'permanent')] } });
  const facts = { target: '0.2.0', instructions: [], findings: [], hotRollback: true };

  test('is resumed, not NOOP: hot from the permanent release, rolled back by restart', () => {
    const [h] = planHosts({ ...facts, statuses: [interrupted] });
    expect(h).toMatchObject({ action: 'hot', from: '0.1.0', to: '0.2.0', hotRollback: false });
    expect(h!.reasons.map((r) => r.rule)).toEqual(['host/installed-not-permanent']);
  });

  test('its good twin, the target permanent, stays NOOP', () => {
    const done = assessHost({ ...base, startErl: { erts: '13.1.5', vsn: '0.2.0' }, releasesFile: [rel('0.2.0', 'permanent'), rel('0.1.0', 'old')],
      live: { up: true, releases: [rel('0.2.0', 'permanent'), rel('0.1.0', 'old')] } });
    const [h] = planHosts({ ...facts, statuses: [done] });
    expect(h).toMatchObject({ action: 'noop', reasons: [] });
  });

  test('another version current (not the target) is an upgrade from what runs', () => {
    const other = assessHost({ ...base, live: { up: true, releases: [rel('0.1.5', 'current'), rel('0.1.0', 'permanent')] } });
    const [h] = planHosts({ ...facts, statuses: [other] });
    expect(h).toMatchObject({ from: '0.1.5', reasons: [] });
  });
});

describe('the host state in one word', () => {
  test('permanent, installed-not-permanent, disagreeing, down; versions only unpacked listed', () => {
    expect(assessHost(base)).toMatchObject({ state: 'permanent', unpacked: [] });
    expect(assessHost({ ...base, live: { up: true, releases: [rel('0.2.0', 'current'), rel('0.1.0', 'permanent')] } }).state).toBe('installed-not-permanent');
    expect(assessHost({ ...base, startErl: { erts: '13.1.5', vsn: '0.0.9' } }).state).toBe('disagreeing');
    expect(assessHost({ ...base, live: { up: false, reason: 'no node' } }).state).toBe('down');
    expect(assessHost({ ...base, live: { up: true, releases: [rel('0.1.0', 'permanent'), rel('0.2.0', 'unpacked')] } }).unpacked).toEqual(['0.2.0']);
  });
});

describe('planHosts: a node that is not running', () => {
  test('is a restart decision that needs --restart (host/node-down), never a hot upgrade', () => {
    const down = assessHost({ ...base, live: { up: false, reason: 'no node shop@h1 is running' } });
    const [h] = planHosts({ target: '0.2.0', instructions: [], findings: [], hotRollback: true, statuses: [down] });
    expect(h).toMatchObject({ action: 'restart', from: '0.1.0' });
    expect(h!.reasons).toEqual([expect.objectContaining({ rule: 'host/node-down', severity: 'error', message: expect.stringMatching(/no node shop@h1 is running/) })]);
  });
});
