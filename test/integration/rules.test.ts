/**
 * Every validation rule against releases and relups made by real rebar3 and
 * systools from fixture variants, each triggered by one build and not by the
 * good one. Hand-made input only where real tools refuse to produce it: a
 * relup edited to name absent modules or unknown instructions, and another
 * ERTS (this machine has one OTP).
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { localHelperDir, runHelper } from '../../src/helper/run.js';
import { buildHostFacts } from '../../src/helper/facts.js';
import { parseRelup } from '../../src/terms/relup.js';
import type { ReleaseFacts } from '../../src/terms/model.js';
import { validate } from '../../src/validate/index.js';
import { moduleRules } from '../../src/validate/modules.js';
import { buildRebar3Shop, type ShopBuild, type ShopSource } from '../support/fixture-build.js';
import { judge, judgePair, localHelper, type PairOutcome } from '../support/rule-pairs.js';
import { tempDir } from '../support/shop-project.js';

const helper = localHelper;
const { exec } = helper;
const run = promisify(execFile);
let work: string;
let v1: ShopBuild;
let oldFacts: ReleaseFacts;

beforeAll(async () => {
  work = await tempDir('rules');
  v1 = await buildRebar3Shop(['v1']);
  oldFacts = await buildHostFacts(helper, v1.relDir, '0.1.0');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

type Outcome = PairOutcome;

/** Build a source over the built 0.1.0, make the relup 0.1.0 → 0.2.0 and run every rule on it. */
const outcome = (source: ShopSource): Promise<Outcome> => judgePair(source, v1, oldFacts);

const variant = (name: string, extra: { base?: string; remove?: string[] } = {}) =>
  outcome({ base: extra.base ?? 'v2', variant: name, ...(extra.remove ? { remove: extra.remove } : {}) });

let goodBuild: Promise<Outcome> | undefined;
function good(): Promise<Outcome> {
  goodBuild ??= outcome('v2');
  return goodBuild;
}

/** The good relup's text with an edit, read back through the helper as a real relup file would be. */
async function editedRelup(g: Outcome, edit: (text: string) => string): Promise<ReleaseFacts['relup']> {
  const file = path.join(work, `relup-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, edit(await readFile(g.build.relup!, 'utf8')));
  return parseRelup(await runHelper(exec, localHelperDir(), 'consult', [file]));
}

describe('the good upgrade', () => {
  test('0.1.0 → 0.2.0 has no findings and goes hot', async () => {
    const g = await good();
    expect(g.rules).toEqual([]);
    expect(g.decision).toBe('hot');
    // The facts the rules stand on, read from the real beams.
    const counter = g.newFacts.apps.find((a) => a.name === 'shop')!.modules.find((m) => m.module === 'shop_counter')!;
    expect(counter).toMatchObject({ behaviours: ['gen_server'], codeChange: true, loadsNif: false, onLoad: false });
  });

  test('regex version keys in an appup match the way systools matches them', async () => {
    const o = await variant('regex-entry');
    expect(o.build.relup).not.toBeNull();
    expect(o.rules).toEqual([]);
    expect(o.decision).toBe('hot');
  });
});

describe('version and relup rules', () => {
  test('version/not-newer: the target is older than what runs', async () => {
    const g = await good();
    const o = judge(validate({ running: '0.3.0', target: '0.2.0', old: null, new: g.newFacts }));
    expect(o.rules).toContain('version/not-newer');
    expect(o.decision).toBe('blocked');
  });

  test('relup/missing: systools made no relup (an appup without a down entry)', async () => {
    const o = await variant('no-down');
    expect(o.build.relupError).toMatch(/shop/);
    expect([...o.rules].sort()).toEqual(['appup/no-down-entry', 'relup/missing']);
    expect(o.decision).toBe('restart');
  });

  test('relup/wrong-version: the relup belongs to another release', async () => {
    const g = await good();
    const o = judge(validate({ running: '0.1.0', target: '0.2.1', old: oldFacts, new: { ...g.newFacts, vsn: '0.2.1' } }));
    expect(o.rules).toEqual(['relup/wrong-version']);
    expect(o.decision).toBe('restart');
  });

  test('relup/no-up-path and relup/no-down-path: the relup does not start from what runs', async () => {
    const g = await good();
    const o = judge(validate({ running: '0.0.5', target: '0.2.0', old: null, new: g.newFacts }));
    expect(o.rules).toEqual(['relup/no-up-path', 'relup/no-down-path', 'release/old-facts-unavailable']);
    expect(o.findings[0]!.message).toMatch(/from the running version 0\.0\.5 \(it has: 0\.1\.0\)/);
    expect(o.decision).toBe('restart');
  });

  test('relup/restart-emulator: the appup asks for a new emulator, and the message says so', async () => {
    const o = await variant('restart');
    const relup = o.newFacts.relup!;
    expect(relup.up[0]!.instructions[0]).toEqual({ op: 'restart_new_emulator' });
    expect(o.rules).toEqual(['relup/restart-emulator']);
    expect(o.findings[0]!.message).toMatch(/shop\.appup asks for it/);
    expect(o.decision).toBe('restart');
  });

  test('relup/unknown-instruction: an instruction release_handler does not know (up: error, down: warning)', async () => {
    const g = await good();
    const relup = await editedRelup(g, (t) => t.replace(/point_of_no_return/g, '{frobnicate,shop_counter}'));
    const o = judge(validate({ running: '0.1.0', target: '0.2.0', old: oldFacts, new: { ...g.newFacts, relup } }));
    expect(o.findings.map((f) => [f.rule, f.severity])).toEqual([['relup/unknown-instruction', 'error'], ['relup/unknown-instruction', 'warning']]);
    expect(o.decision).toBe('restart');
  });

  test('relup/absent-module and relup/absent-application: the relup names what the release lacks', async () => {
    const g = await good();
    const relup = await editedRelup(g, (t) => t.replace('{load,{shop_audit,', '{load,{shop_ghost,').replace(/\{shop,"0\.2\.0",/, '{shop,"0.3.0",'));
    const o = judge(validate({ running: '0.1.0', target: '0.2.0', old: oldFacts, new: { ...g.newFacts, relup } }));
    expect([...o.rules].sort()).toEqual(['relup/absent-application', 'relup/absent-module']);
    expect(o.findings.find((f) => f.rule === 'relup/absent-module')).toMatchObject({ module: 'shop_ghost' });
    expect(o.decision).toBe('restart');
  });
});

describe('release rules', () => {
  test('release/missing-application: the .rel names an application lib/ lacks', async () => {
    const g = await good();
    // The build is shared: take the application away from a copy.
    const relDir = path.join(work, 'missing-application');
    await cp(g.build.relDir, relDir, { recursive: true, verbatimSymlinks: true });
    await rm(path.join(relDir, 'lib/shop-0.2.0'), { recursive: true });
    const facts = await buildHostFacts(helper, relDir, '0.2.0');
    const o = judge(validate({ running: '0.1.0', target: '0.2.0', old: oldFacts, new: facts }));
    expect(o.rules).toContain('release/missing-application');
    expect(o.decision).toBe('blocked');
  });

  test('release/no-sasl: a release without release_handler', async () => {
    const o = await variant('no-sasl');
    expect(o.newFacts.apps.map((a) => a.name)).not.toContain('sasl');
    expect([...o.rules].sort()).toEqual(['release/no-sasl', 'relup/missing']);
    expect(o.decision).toBe('restart');
  });

  test('release/erts-changed and release/core-app-changed: another OTP (hand-made: one OTP here)', async () => {
    const g = await good();
    const otherOtp: ReleaseFacts = { ...oldFacts, erts: '12.0', apps: oldFacts.apps.map((a) => (a.name === 'stdlib' ? { ...a, vsn: '3.17' } : a)) };
    const o = judge(validate({ running: '0.1.0', target: '0.2.0', old: otherOtp, new: g.newFacts }));
    expect([...o.rules].sort()).toEqual(['release/core-app-changed', 'release/erts-changed']);
    expect(o.decision).toBe('restart');
  });

  test('release/old-facts-unavailable: without the running release, a note, not a verdict', async () => {
    const g = await good();
    const o = judge(validate({ running: '0.1.0', target: '0.2.0', old: null, new: g.newFacts }));
    expect(o.rules).toEqual(['release/old-facts-unavailable']);
    expect(o.decision).toBe('hot');
  });

  test('app/version-not-bumped: code changed, vsn did not; the relup is empty', async () => {
    const o = await variant('no-bump');
    expect(o.newFacts.relup?.up[0]?.instructions.map((i) => i.op)).toEqual(['point_of_no_return']);
    expect(o.rules).toEqual(['app/version-not-bumped']);
    expect(o.decision).toBe('blocked');
  });
});

describe('appup rules', () => {
  test('appup/missing: the version changed, no appup', async () => {
    const o = await variant('no-appup', { base: 'v1' });
    expect(o.build.relup).toBeNull();
    expect([...o.rules].sort()).toEqual(['appup/missing', 'relup/missing']);
    expect(o.decision).toBe('restart');
  });

  test('appup/malformed: not {Vsn, Up, Down}', async () => {
    const o = await variant('malformed-appup');
    expect([...o.rules].sort()).toEqual(['appup/malformed', 'relup/missing']);
    expect(o.findings.find((f) => f.rule === 'appup/malformed')!.message).toMatch(/expected a 3-tuple/);
  });

  test('appup/version-mismatch: the appup is written for another version (systools only warns)', async () => {
    const o = await variant('appup-version');
    expect(o.build.relup).not.toBeNull();
    expect(o.rules).toEqual(['appup/version-mismatch']);
    expect(o.decision).toBe('hot');
  });

  test('appup/no-up-entry: no entry for the running version', async () => {
    const o = await variant('no-up-entry');
    expect(o.build.relup).toBeNull();
    expect([...o.rules].sort()).toEqual(['appup/no-up-entry', 'relup/missing']);
  });

  test('appup/unknown-instruction: an instruction appup(4) does not define', async () => {
    const o = await variant('unknown-instruction');
    expect([...o.rules].sort()).toEqual(['appup/unknown-instruction', 'relup/missing']);
    expect(o.findings.find((f) => f.rule === 'appup/unknown-instruction')!.message).toMatch(/\{frobnicate,shop_counter\}/);
  });
});

describe('module rules', () => {
  test('module/not-loaded: a new module no instruction adds', async () => {
    const o = await variant('not-loaded');
    expect(o.rules).toEqual(['module/not-loaded']);
    expect(o.findings[0]).toMatchObject({ app: 'shop', module: 'shop_audit' });
    expect(o.decision).toBe('restart');
  });

  test('module/not-removed: a deleted module the relup leaves loaded', async () => {
    const o = await variant('not-removed', { remove: ['apps/shop/src/shop_listener.erl'] });
    // Its child, dropped from shop_sup's init/1, keeps running too (code-rules.test.ts).
    expect([...o.rules].sort()).toEqual(['module/not-removed', 'supervisor/child-not-stopped']);
    expect(o.findings.find((f) => f.rule === 'module/not-removed')).toMatchObject({ module: 'shop_listener' });
  });

  test('module/process-load-only: a gen_server loaded without code_change, its state not known', async () => {
    const o = await variant('load-only');
    // With debug_info, the state change is seen (module/state-changed-load-only, code-rules.test.ts); without, the warning.
    for (const m of o.newFacts.apps.flatMap((a) => a.modules)) m.code = { status: 'no-debug-info' };
    const r = judge(validate({ running: '0.1.0', target: '0.2.0', old: oldFacts, new: o.newFacts }));
    expect(r.rules).toEqual(['module/process-load-only', 'module/code-facts-unavailable']);
    expect(r.findings[0]).toMatchObject({ module: 'shop_counter' });
    expect(r.decision).toBe('hot');
  });

  test('module/missing-code-change: code_change called on a module without it', async () => {
    const o = await variant('missing-code-change');
    expect(o.rules).toEqual(['module/missing-code-change']);
    expect(o.decision).toBe('restart');
  });

  test('module/on-load-hot: a module with -on_load loaded into the live node', async () => {
    const o = await variant('on-load');
    expect(o.rules).toEqual(['module/on-load-hot']);
    expect(o.findings[0]!.message).toMatch(/has an -on_load function/);
  });

  test("Elixir's GenServer and Supervisor are process behaviours too (real elixirc beams)", async () => {
    const root = path.join(work, 'elixir');
    const ebin = path.join(root, 'lib/ex-1.0.0/ebin');
    await mkdir(ebin, { recursive: true });
    await mkdir(path.join(root, 'releases/1.0.0'), { recursive: true });
    await writeFile(path.join(root, 'ex.ex'), [
      'defmodule Ex.Counter do\n  use GenServer\n  def init(n), do: {:ok, n}\nend',
      'defmodule Ex.Sup do\n  use Supervisor\n  def init(_), do: Supervisor.init([], strategy: :one_for_one)\nend',
    ].join('\n'));
    await run('elixirc', ['-o', ebin, path.join(root, 'ex.ex')]);
    await writeFile(path.join(root, 'releases/1.0.0/ex.rel'), `{release, {"ex", "1.0.0"}, {erts, "${oldFacts.erts}"}, [{ex, "1.0.0"}]}.\n`);
    const [app] = (await buildHostFacts(helper, root, '1.0.0')).apps;
    const [counter, sup] = app!.modules;
    expect(counter).toMatchObject({ module: 'Elixir.Ex.Counter', behaviours: ['Elixir.GenServer'], codeChange: true });
    expect(sup).toMatchObject({ module: 'Elixir.Ex.Sup', behaviours: ['Elixir.Supervisor'], codeChange: false });
    const change = { name: 'ex', oldVsn: '0.9.0', newVsn: '1.0.0', changed: [counter!, sup!], added: [], deleted: [], app: app! };
    const load = (module: string) => ({ op: 'load' as const, module, prePurge: 'brutal_purge' as const, postPurge: 'brutal_purge' as const });
    const loadOnly = { vsn: '0.9.0', descr: '[]', instructions: [{ op: 'load_object_code' as const, app: 'ex', vsn: '1.0.0', modules: ['Elixir.Ex.Counter', 'Elixir.Ex.Sup'] }, load('Elixir.Ex.Counter'), load('Elixir.Ex.Sup')] };
    expect(moduleRules([change], loadOnly).map((f) => [f.rule, f.module])).toEqual([
      ['module/process-load-only', 'Elixir.Ex.Counter'],
      ['module/process-load-only', 'Elixir.Ex.Sup'],
    ]);
    // {update, 'Elixir.Ex.Sup', supervisor}: a supervisor needs no code_change of its own.
    const updated = { ...loadOnly, instructions: [...loadOnly.instructions, { op: 'code_change' as const, mode: 'up' as const, changes: [{ module: 'Elixir.Ex.Sup', extra: '[]' }] }] };
    expect(moduleRules([change], updated).map((f) => [f.rule, f.module])).toEqual([['module/process-load-only', 'Elixir.Ex.Counter']]);
  });

  test('module/on-load-hot: a module that loads a NIF', async () => {
    const o = await variant('nif');
    expect(o.rules).toEqual(['module/on-load-hot']);
    expect(o.findings[0]!.message).toMatch(/loads a NIF/);
  });
});
