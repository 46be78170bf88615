/**
 * The rules that read the code itself (state shapes, child specs, NIF
 * libraries, env, references, restart_application), each against a pair of
 * releases built by real rebar3 from fixture variants, with a good twin that
 * must raise nothing. The Elixir pair is made by mix, from variants that keep
 * debug_info in the release (`mix release` strips it by default), with the
 * appups and relup hotup makes for mix.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildHostFacts } from '../../src/helper/facts.js';
import type { ReleaseFacts } from '../../src/terms/model.js';
import { validate } from '../../src/validate/index.js';
import { diffReleases } from '../../src/validate/diff.js';
import { view } from '../../src/validate/path-view.js';
import { stateChangeRules } from '../../src/validate/state.js';
import { decide } from '../../src/plan/decide.js';
import { makeMixUpgrade } from '../../src/build/mix.js';
import { placeAppups, readModuleCalls } from '../../src/build/appups.js';
import { encoder } from '../../src/core/context.js';
import { buildMixShop, buildRebar3Shop, type MixShopBuild, type MixShopSource, type ShopBuild, type ShopSource } from '../support/fixture-build.js';
import { tempDir } from '../support/shop-project.js';
import { judgePair, localHelper, type PairOutcome } from '../support/rule-pairs.js';

const helper = localHelper;
const run = promisify(execFile);
let work: string;
let v1: ShopBuild;
let v1Facts: ReleaseFacts;

beforeAll(async () => {
  work = await tempDir('code-rules');
  v1 = await buildRebar3Shop(['v1']);
  v1Facts = await buildHostFacts(helper, v1.relDir, '0.1.0');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

type Outcome = Omit<PairOutcome, 'build'>;

/** SOURCE built over FROM (v1 unless said), the relup made by rebar3, and every rule run on the pair. */
async function outcome(source: ShopSource, from: ShopBuild = v1): Promise<Outcome> {
  const o = await judgePair(source, from, from === v1 ? v1Facts : await buildHostFacts(helper, from.relDir, '0.1.0'));
  expect(o.build.relupError).toBeNull();
  return o;
}

const variant = (name: string, remove?: string[]) => outcome({ base: 'v2', variant: name, ...(remove ? { remove } : {}) });
const LISTENER = ['apps/shop/src/shop_listener.erl'];

/** SOURCE released by mix over FROM, then appups and relup made as hotup makes them for mix (in a copy: builds are shared), and every rule run. */
async function mixUpgrade(from: MixShopBuild, source: MixShopSource) {
  const built = await buildMixShop(source, { from });
  const relDir = path.join(work, built.name);
  await cp(built.relDir, relDir, { recursive: true, verbatimSymlinks: true });
  const old = await buildHostFacts(helper, relDir, '0.1.0');
  const placed = await placeAppups(helper.exec, { projectDir: built.dir, relDir, mode: 'generate', calls: (ebins) => readModuleCalls(helper.exec, encoder(), ebins) },
    old, await buildHostFacts(helper, relDir, '0.2.0'));
  await makeMixUpgrade(helper.exec, 'shop_ex', encoder(), { vsn: '0.2.0', relDir }, '0.1.0', await buildHostFacts(helper, relDir, '0.2.0'), true);
  const neu = await buildHostFacts(helper, relDir, '0.2.0');
  // Every pair of the mix fixture notes its config/runtime.exs (evaluated on the host at install): not what these tests judge.
  const findings = validate({ running: '0.1.0', target: '0.2.0', old, new: neu }).filter((f) => f.rule !== 'elixir/runtime-config');
  return { old, new: neu, appup: placed.used[0]?.text ?? '', findings };
}

describe('code facts', () => {
  test('read from the debug_info of real beams: state shapes, child specs, code_change, calls', async () => {
    const g = await outcome('v2');
    const shop = (f: ReleaseFacts) => f.apps.find((a) => a.name === 'shop')!;
    const mod = (f: ReleaseFacts, m: string) => shop(f).modules.find((x) => x.module === m)!;
    expect(mod(v1Facts, 'shop_counter').code).toEqual({ status: 'ok', state: ['number'], children: null, codeChange: 'identity', loadNif: [] });
    expect(mod(g.newFacts, 'shop_counter').code).toMatchObject({ state: ['#{adds,last,total}', 'map'], codeChange: 'custom' });
    expect(mod(g.newFacts, 'shop_sup').code).toMatchObject({ children: [
      { id: 'shop_counter', start: 'shop_counter:start_link/0' },
      { id: 'shop_listener', start: 'shop_listener:start_link/1' },
    ] });
    expect(mod(g.newFacts, 'shop_counter').calls).toEqual(['gen_server', 'shop_audit', 'sys']);
    expect(mod(g.newFacts, 'shop_app').code).toEqual({ status: 'none' });
    expect(shop(g.newFacts)).toMatchObject({ mod: 'shop_app', nifs: [] });
    // The good upgrade: a real code_change migrates the new state.
    expect(g.rules).toEqual([]);
    expect(g.decision).toBe('hot');
  });

  test('module/code-facts-unavailable: a stripped beam is said to be unchecked, not guessed', async () => {
    const g = await outcome('v2');
    const stripped = structuredClone(g.newFacts);
    for (const m of stripped.apps.find((a) => a.name === 'shop')!.modules) if (m.code?.status === 'ok') m.code = { status: 'no-debug-info' };
    const findings = validate({ running: '0.1.0', target: '0.2.0', old: v1Facts, new: stripped });
    expect(findings.map((f) => [f.rule, f.module, f.effect])).toEqual([['module/code-facts-unavailable', 'shop_counter', 'none']]);
    expect(findings[0]!.message).toMatch(/in the new release it has no debug_info/);
  });
});

describe('state', () => {
  test('module/state-changed-load-only: the state goes integer → map, the relup only loads it', async () => {
    const o = await variant('load-only');
    expect(o.rules).toEqual(['module/state-changed-load-only']);
    expect(o.findings[0]).toMatchObject({ module: 'shop_counter', effect: 'restart' });
    expect(o.findings[0]!.message).toMatch(/number → #\{adds,last,total\} \| map/);
    expect(o.decision).toBe('restart');
  });

  test('good twin: shop_counter changed, its state did not; load_module stays hot, without a warning', async () => {
    const o = await variant('same-state');
    expect(o.rules).toEqual([]);
    expect(o.decision).toBe('hot');
  });

  test("module/code-change-keeps-state: Elixir's injected code_change/3 keeps the integer the new code cannot read (real mix releases)", async () => {
    const old = await buildMixShop({ base: 'v1', variant: 'dbgi-0.1.0' });
    // 0.1.0 writes its own code_change/3, one that returns the state it is given.
    const bad = await mixUpgrade(old, { base: 'v2', variant: 'default-code-change' });
    const counter = (f: ReleaseFacts) => f.apps.find((a) => a.name === 'shop_ex')!.modules.find((m) => m.module === 'Elixir.ShopEx.Counter')!;
    expect(counter(bad.old).code).toMatchObject({ status: 'ok', state: ['number'], codeChange: 'identity' });
    expect(counter(bad.new).code).toMatchObject({ state: ['map'], codeChange: 'injected' });
    // hotup's generated appup calls code_change for every module that exports it, as `use GenServer` makes them all.
    expect(bad.appup).toContain("{update, 'Elixir.ShopEx.Counter', {advanced, []}}");
    expect(bad.findings.map((f) => [f.rule, f.module, f.effect])).toEqual([['module/code-change-keeps-state', 'Elixir.ShopEx.Counter', 'restart']]);
    expect(bad.findings[0]!.message).toMatch(/the default one `use GenServer` injects/);
    expect(decide(bad.findings).kind).toBe('restart');
    // Good twin: the fixture's own 0.2.0, whose code_change/3 turns the integer into the map.
    const good = await mixUpgrade(old, { base: 'v2', variant: 'dbgi-0.2.0' });
    expect(counter(good.new).code).toMatchObject({ codeChange: 'custom' });
    expect(good.findings).toEqual([]);
    expect(decide(good.findings).kind).toBe('hot');
  });

  test('gen_statem with a record: a field more is another shape (erlc beams), a changed body is not', async () => {
    const door = (fields: string, greeting: string) => `-module(door).
-behaviour(gen_statem).
-export([start_link/0, init/1, callback_mode/0, locked/3, open/3, greeting/0, code_change/4]).
-record(data, {${fields}}).
start_link() -> gen_statem:start_link({local, door}, door, [], []).
greeting() -> "${greeting}".
init([]) -> {ok, locked, #data{code = 1234}}.
callback_mode() -> state_functions.
locked(cast, {button, C}, #data{code = C} = D) -> {next_state, open, D};
locked(cast, {button, _}, D) -> {keep_state, D}.
open(cast, lock, D) -> {next_state, locked, D, []}.
code_change(_Old, State, Data, _Extra) -> {ok, State, Data}.
`;
    const release = async (name: string, vsn: string, source: string) => {
      const root = path.join(work, name);
      const ebin = path.join(root, `lib/door-${vsn}/ebin`);
      await mkdir(ebin, { recursive: true });
      await mkdir(path.join(root, `releases/${vsn}`), { recursive: true });
      await writeFile(path.join(root, 'door.erl'), source);
      await run('erlc', ['+debug_info', '-o', ebin, path.join(root, 'door.erl')]);
      await writeFile(path.join(root, `releases/${vsn}/door.rel`), `{release, {"door", "${vsn}"}, {erts, "${v1Facts.erts}"}, [{door, "${vsn}"}]}.\n`);
      return buildHostFacts(helper, root, vsn);
    };
    const [old, wider, same] = await Promise.all([
      release('door-1', '1.0.0', door('code, tries = 0', 'hi')),
      release('door-2', '2.0.0', door('code, tries = 0, opened_at', 'hi')),
      release('door-3', '2.0.0', door('code, tries = 0', 'hello')),
    ]);
    const code = (f: ReleaseFacts) => f.apps[0]!.modules[0]!.code;
    expect(code(old)).toMatchObject({ status: 'ok', state: ['#data{}/3'], codeChange: 'identity' });
    expect(code(wider)).toMatchObject({ state: ['#data{}/4'] });
    const loadOnly = { vsn: '1.0.0', descr: '[]', instructions: [
      { op: 'load_object_code' as const, app: 'door', vsn: '2.0.0', modules: ['door'] },
      { op: 'load' as const, module: 'door', prePurge: 'brutal_purge' as const, postPurge: 'brutal_purge' as const },
    ] };
    expect(stateChangeRules(diffReleases(old, wider), view(loadOnly)).map((f) => f.rule)).toEqual(['module/state-changed-load-only']);
    expect(stateChangeRules(diffReleases(old, same), view(loadOnly))).toEqual([]);
  });
});

describe('supervisors', () => {
  test('supervisor/child-not-started: {update, shop_sup, supervisor} adds shop_clock\'s spec and starts nothing', async () => {
    const o = await variant('sup-child');
    expect(o.rules).toEqual(['supervisor/child-not-started']);
    expect(o.findings[0]).toMatchObject({ module: 'shop_sup', effect: 'restart' });
    expect(o.findings[0]!.remedy).toMatch(/\{apply, \{supervisor, restart_child, \[shop_sup, shop_clock\]\}\}/);
    expect(o.decision).toBe('restart');
  });

  test('good twin: the appup starts the new child with supervisor:restart_child', async () => {
    const o = await variant('sup-child-started');
    expect(o.rules).toEqual([]);
    expect(o.decision).toBe('hot');
  });

  test('supervisor/child-not-started, load_module only: the running supervisor never reads the new spec', async () => {
    const o = await variant('sup-child');
    const relup = structuredClone(o.newFacts.relup!);
    const up = relup.up[0]!;
    up.instructions = up.instructions.filter((i) => !(i.op === 'code_change' && i.changes.some((c) => c.module === 'shop_sup')));
    const findings = validate({ running: '0.1.0', target: '0.2.0', old: v1Facts, new: { ...o.newFacts, relup } });
    const f = findings.find((x) => x.rule === 'supervisor/child-not-started')!;
    expect(f.message).toMatch(/only loads shop_sup/);
    expect(f.remedy).toMatch(/^Use \{update, shop_sup, supervisor\}/);
  });

  test('supervisor/child-not-stopped: shop_sup drops shop_listener, whose process keeps running', async () => {
    const o = await variant('not-removed', LISTENER);
    expect([...o.rules].sort()).toEqual(['module/not-removed', 'supervisor/child-not-stopped']);
    expect(o.findings.find((f) => f.rule === 'supervisor/child-not-stopped')!.remedy).toMatch(/terminate_child, \[shop_sup, shop_listener\]/);
    expect(o.decision).toBe('restart');
  });
});

describe('references', () => {
  test('module/removed-still-called: shop_listener deleted, shop_sup still starts it', async () => {
    const o = await variant('removed-called', LISTENER);
    expect(o.rules).toEqual(['module/removed-still-called']);
    expect(o.findings[0]).toMatchObject({ module: 'shop_sup', effect: 'block' });
    expect(o.findings[0]!.message).toMatch(/starts shop_listener/);
    expect(o.decision).toBe('blocked');
  });

  test('good twin: the child is stopped and deleted, its spec gone, the module deleted', async () => {
    const o = await variant('removed-clean', LISTENER);
    expect(o.rules).toEqual([]);
    expect(o.decision).toBe('hot');
  });
});

describe('applications', () => {
  test('appup/restart-application: hot for the node, an interruption for shop', async () => {
    const o = await variant('restart-app');
    expect(o.rules).toEqual(['appup/restart-application']);
    expect(o.findings[0]).toMatchObject({ app: 'shop', severity: 'warning', effect: 'none' });
    expect(o.findings[0]!.message).toMatch(/lose their state/);
    expect(o.decision).toBe('hot');
  });

  test('app/env-no-config-change: .app and sys.config change shop\'s env, shop_app is not told', async () => {
    const o = await variant('env-changed');
    expect(o.rules).toEqual(['app/env-no-config-change']);
    expect(o.findings[0]!.message).toMatch(/env changes \(audit, port\)/);
    expect(o.decision).toBe('hot');
  });

  test('good twin: shop_app exports config_change/3 (and the appup loads it)', async () => {
    const o = await variant('env-config-change');
    expect(o.rules).toEqual([]);
    expect(o.decision).toBe('hot');
  });
});

describe('NIF libraries', () => {
  let nifV1: ShopBuild;
  beforeAll(async () => {
    // A real NIF: c_src/shop_nif.c built into priv/shop_nif.so by cc, in the app's rebar3 pre_hook.
    nifV1 = await buildRebar3Shop([{ base: 'v1', variant: 'nif-lib' }]);
  });

  test('nif/library-changed: priv/shop_nif.so rebuilt from other C, shop_nif not even reloaded', async () => {
    const o = await outcome({ base: 'v2', variant: 'nif-lib-changed' }, nifV1);
    expect(o.rules).toEqual(['nif/library-changed']);
    expect(o.findings[0]).toMatchObject({ app: 'shop', module: 'shop_nif', effect: 'restart' });
    expect(o.findings[0]!.message).toMatch(/priv\/shop_nif\.so changed/);
    expect(o.decision).toBe('restart');
  });

  test('good twin: the same C source, the same library', async () => {
    const o = await outcome({ base: 'v2', variant: 'nif-lib' }, nifV1);
    expect(o.newFacts.apps.find((a) => a.name === 'shop')!.nifs).toEqual([{ path: 'priv/shop_nif.so', digest: expect.stringMatching(/^[0-9A-F]{32}$/) }]);
    expect(o.rules).toEqual([]);
    expect(o.decision).toBe('hot');
  });
});
