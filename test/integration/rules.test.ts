/**
 * Every validation rule against releases and relups made by real rebar3 and
 * systools from fixture variants; hand-typed terms only where real tools
 * refuse to produce the input (a relup naming absent modules, another ERTS).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalExecutor } from '../../src/remote/local.js';
import { localHelperDir, runHelper } from '../../src/release/helper.js';
import { buildHostFacts, onLoadModules } from '../../src/release/facts.js';
import { parseRelup } from '../../src/terms/relup.js';
import type { ReleaseFacts, Relup } from '../../src/terms/model.js';
import { validate } from '../../src/validate/index.js';
import { diffReleases } from '../../src/validate/diff.js';
import { decide } from '../../src/plan/decide.js';
import { buildRelease, buildRelup, checkout, checkoutVariant, copyProject, tempDir } from '../support/shop-project.js';
import { newInstance, type ShopInstance } from '../support/shop-node.js';

const exec = new LocalExecutor();
let work: string;
let base: string;
let inst: ShopInstance;
let oldFacts: ReleaseFacts;
const REL = '_build/prod/rel/shop';

beforeAll(async () => {
  work = await tempDir('rules');
  base = path.join(work, 'base');
  inst = await newInstance();
  await checkout(base, 'v1', inst);
  await buildRelease(base);
  // Read now: a later build that does not bump the version rewrites lib/shop-0.1.0.
  oldFacts = await buildHostFacts(exec, path.join(base, REL), '0.1.0');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

interface Outcome {
  rules: string[];
  decision: string;
  relup: Relup | null;
  newFacts: ReleaseFacts;
}

/** Build a variant (or v2 itself) on top of the built 0.1.0 and run every rule on it. */
async function inspectVariant(variant: string | null, running = '0.1.0'): Promise<Outcome> {
  const dir = path.join(work, variant ?? 'good');
  await copyProject(base, dir);
  if (variant) await checkoutVariant(dir, variant, inst);
  else await checkout(dir, 'v2', inst);
  await buildRelease(dir);
  let relup: Relup | null = null;
  try {
    relup = parseRelup(await runHelper(exec, localHelperDir(), 'consult', [await buildRelup(dir, '0.1.0', '0.2.0')]));
  } catch {
    // systools refuses some broken appups; the appup rules still judge them.
  }
  const relDir = path.join(dir, REL);
  const newFacts = await buildHostFacts(exec, relDir, '0.2.0');
  const beams = diffReleases(oldFacts, newFacts).flatMap((c) =>
    [...c.changed, ...c.added].map((m) => `${relDir}/lib/${c.name}-${c.newVsn}/ebin/${m.module}.beam`));
  const findings = validate({ running, target: '0.2.0', old: oldFacts, new: newFacts, relup, onLoad: await onLoadModules(exec, beams) });
  return { rules: findings.map((f) => f.rule), decision: decide(findings), relup, newFacts };
}

let goodBuild: Promise<Outcome> | undefined;
function goodOutcome(): Promise<Outcome> {
  goodBuild ??= inspectVariant(null);
  return goodBuild;
}

describe('rules on real builds', () => {
  let good: Outcome;
  beforeAll(async () => {
    good = await goodOutcome();
  });

  test('a good 0.1.0 → 0.2.0 has no findings and goes hot', () => {
    expect(good.rules).toEqual([]);
    expect(good.decision).toBe('hot');
  });

  test('relup/no-up-path: the relup has no path from what runs', async () => {
    const f = validate({ running: '0.0.5', target: '0.2.0', old: oldFacts, new: good.newFacts, relup: good.relup, onLoad: [] });
    expect(f.map((x) => x.rule)).toEqual(expect.arrayContaining(['relup/no-up-path', 'relup/no-down-path']));
    expect(decide(f)).toBe('restart');
  });

  test('app/version-not-bumped: code changed, vsn did not; the relup is empty', async () => {
    const o = await inspectVariant('no-bump');
    expect(o.relup?.up[0]?.instructions.map((i) => i.op)).toEqual(['point_of_no_return']);
    expect(o.rules).toContain('app/version-not-bumped');
    expect(o.decision).toBe('blocked');
  });

  test('module/process-load-only: a gen_server loaded without code_change', async () => {
    const o = await inspectVariant('load-only');
    expect(o.rules).toEqual(['module/process-load-only']);
    expect(o.decision).toBe('hot');
  });

  test('module/not-loaded: a new module no instruction adds', async () => {
    const o = await inspectVariant('not-loaded');
    expect(o.rules).toEqual(['module/not-loaded']);
    expect(o.decision).toBe('restart');
  });

  test('relup/restart-emulator: the appup asks for a new emulator', async () => {
    const o = await inspectVariant('restart');
    expect(o.relup?.up[0]?.instructions[0]).toEqual({ op: 'restart_new_emulator' });
    expect(o.rules).toEqual(['relup/restart-emulator']);
    expect(o.decision).toBe('restart');
  });

  test('appup/no-down-entry: no way back (and systools then makes no relup at all)', async () => {
    const o = await inspectVariant('no-down');
    expect(o.rules.sort()).toEqual(['appup/no-down-entry', 'relup/missing']);
    expect(o.decision).toBe('restart');
  });

  test('module/on-load-hot: a module with -on_load loaded into the live node', async () => {
    const o = await inspectVariant('on-load');
    expect(o.rules).toEqual(['module/on-load-hot']);
  });

  test('module/missing-code-change: code_change called on a module without it', async () => {
    const o = await inspectVariant('missing-code-change');
    expect(o.rules).toEqual(['module/missing-code-change']);
    expect(o.decision).toBe('restart');
  });

  test('appup/version-mismatch: the appup is for another version (systools refuses it)', async () => {
    const o = await inspectVariant('appup-version');
    expect(o.rules).toContain('appup/version-mismatch');
    expect(o.decision).not.toBe('hot');
  });

  test('appup/no-up-entry: no entry for the running version', async () => {
    const o = await inspectVariant('no-up-entry');
    expect(o.relup).toBeNull();
    expect(o.rules).toEqual(expect.arrayContaining(['appup/no-up-entry', 'relup/missing']));
  });

  test('regex version keys in an appup match like systools matches them', async () => {
    const o = await inspectVariant('regex-entry');
    expect(o.rules).toEqual([]);
    expect(o.decision).toBe('hot');
  });
});

describe('rules that real tools here cannot trigger (hand-made input)', () => {
  let good: Outcome;
  beforeAll(async () => {
    good = await goodOutcome();
  });

  test('relup/absent-module and relup/absent-application', () => {
    const relup: Relup = {
      vsn: '0.2.0',
      up: [{ vsn: '0.1.0', descr: '[]', instructions: [
        { op: 'load_object_code', app: 'shop', vsn: '0.3.0', modules: ['shop_counter'] },
        { op: 'load', module: 'shop_ghost', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      ] }],
      down: good.relup!.down,
    };
    const rules = validate({ running: '0.1.0', target: '0.2.0', old: null, new: good.newFacts, relup, onLoad: [] }).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['relup/absent-application', 'relup/absent-module']));
  });

  test('relup/unknown-instruction', () => {
    const relup: Relup = { ...good.relup!, up: [{ vsn: '0.1.0', descr: '[]', instructions: [{ op: 'unknown', printed: '{frobnicate,x}' }] }] };
    const f = validate({ running: '0.1.0', target: '0.2.0', old: null, new: good.newFacts, relup, onLoad: [] });
    expect(f.map((x) => x.rule)).toContain('relup/unknown-instruction');
  });

  test('release/erts-changed and release/core-app-changed: another OTP', () => {
    const otherOtp: ReleaseFacts = {
      ...oldFacts,
      erts: '12.0',
      apps: oldFacts.apps.map((a) => (a.name === 'stdlib' ? { ...a, vsn: '3.17' } : a)),
    };
    const f = validate({ running: '0.1.0', target: '0.2.0', old: otherOtp, new: good.newFacts, relup: good.relup, onLoad: [] });
    expect(f.map((x) => x.rule)).toEqual(expect.arrayContaining(['release/erts-changed', 'release/core-app-changed']));
    expect(decide(f)).toBe('restart');
  });
});
