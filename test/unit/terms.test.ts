/**
 * Decoding real artifacts: a relup, appup and .rel made by rebar3 from the
 * fixture, RELEASES and which_releases/0 as OTP writes them, all through the
 * Erlang helper and erlpack on the OTP these tests run.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalExecutor } from '../../src/remote/local.js';
import { HELPER_EXIT, localHelperDir, runHelper, runHelperArgv } from '../../src/helper/run.js';
import { hostHelperArgv } from '../../src/commands/session.js';
import { helpersDigest, installHelpers } from '../../src/host/helpers-install.js';
import { buildHostUpgradeFacts } from '../../src/helper/facts.js';
import { parseInstruction, parseRelup } from '../../src/terms/relup.js';
import { appupMatches, parseAppup, parseAppupInstruction } from '../../src/terms/appup.js';
import { parseRelFile } from '../../src/terms/rel.js';
import { parseReleaseFacts } from '../../src/terms/facts.js';
import type { ReleaseFacts } from '../../src/terms/model.js';
import { parseReleasesFile, parseWhichReleases } from '../../src/terms/releases.js';
import { decodeFramed, type Term } from '../../src/terms/etf.js';
import { relupPathRules } from '../../src/validate/relup-paths.js';
import { decide } from '../../src/plan/decide.js';
import { buildRebar3Shop, type ShopBuild } from '../support/fixture-build.js';
import { tempDir } from '../support/shop-project.js';

const exec = new LocalExecutor();
let shop: ShopBuild;
let scratch: string;

beforeAll(async () => {
  shop = await buildRebar3Shop(['v1', 'v2'], { relup: true });
  scratch = await tempDir('terms');
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const consult = (file: string) => runHelper(exec, localHelperDir(), 'consult', [file]);

/** The value of an Erlang expression, encoded by encode.fun exactly as the helpers send it. */
function erlangTerm(expr: string, boot: string[] = []): Term {
  const script = `{ok, B} = file:read_file("${localHelperDir()}/encode.fun"), {ok, T, _} = erl_scan:string(binary_to_list(B) ++ "."), {ok, [E]} = erl_parse:parse_exprs(T), {value, Enc, _} = erl_eval:expr(E, []), io:put_chars(["HOTUP1:", base64:encode(term_to_binary(Enc(${expr}), [{minor_version, 1}]))]), halt().`;
  const out = execFileSync('erl', [...boot, '-noshell', '-eval', script]).toString();
  const t = decodeFramed(out);
  if (!t) throw new Error(`no frame in ${out}`);
  return t;
}

function items(t: Term): Term[] {
  if (t.kind !== 'list') throw new Error(`not a list: ${t.kind}`);
  return t.items;
}

describe('a rebar3-made relup', () => {
  test('decodes into the exact typed instructions, up and down', async () => {
    const relup = parseRelup(await consult(shop.relup!));
    expect(relup.vsn).toBe('0.2.0');
    expect(relup.up.map((p) => p.vsn)).toEqual(['0.1.0']);
    expect(relup.down.map((p) => p.vsn)).toEqual(['0.1.0']);
    expect(relup.up[0]!.instructions).toEqual([
      { op: 'load_object_code', app: 'shop', vsn: '0.2.0', modules: ['shop_counter', 'shop_audit'] },
      { op: 'point_of_no_return' },
      { op: 'suspend', modules: [{ module: 'shop_counter', timeout: 'default' }] },
      { op: 'load', module: 'shop_audit', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      { op: 'load', module: 'shop_counter', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      { op: 'code_change', mode: 'up', changes: [{ module: 'shop_counter', extra: '[]' }] },
      { op: 'resume', modules: ['shop_counter'] },
    ]);
    expect(relup.down[0]!.instructions).toEqual([
      { op: 'load_object_code', app: 'shop', vsn: '0.1.0', modules: ['shop_counter'] },
      { op: 'point_of_no_return' },
      { op: 'suspend', modules: [{ module: 'shop_counter', timeout: 'default' }] },
      { op: 'code_change', mode: 'down', changes: [{ module: 'shop_counter', extra: '[]' }] },
      { op: 'load', module: 'shop_counter', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      { op: 'resume', modules: ['shop_counter'] },
      { op: 'remove', module: 'shop_audit', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      { op: 'purge', modules: ['shop_audit'] },
    ]);
    expect(relupPathRules(relup, { running: '0.1.0', target: '0.2.0' })).toEqual([]);
    expect(relupPathRules(relup, { running: '0.0.9' }).map((f) => f.rule)).toEqual(['relup/no-up-path', 'relup/no-down-path']);
  });

  test('the appup it was made from, typed and normalised as systools expands it', async () => {
    const appup = parseAppup(await consult(path.join(shop.relDir, 'lib/shop-0.2.0/ebin/shop.appup')), 'shop.appup');
    expect(appup).toEqual({
      vsn: '0.2.0',
      up: [{
        from: { kind: 'exact', vsn: '0.1.0' },
        instructions: [
          { op: 'add_module', module: 'shop_audit', depMods: [] },
          { op: 'update', module: 'shop_counter', modType: 'dynamic', timeout: 'default', change: { kind: 'advanced', extra: '[]' }, prePurge: 'brutal_purge', postPurge: 'brutal_purge', depMods: ['shop_audit'] },
        ],
      }],
      down: [{
        from: { kind: 'exact', vsn: '0.1.0' },
        instructions: [
          { op: 'update', module: 'shop_counter', modType: 'dynamic', timeout: 'default', change: { kind: 'advanced', extra: '[]' }, prePurge: 'brutal_purge', postPurge: 'brutal_purge', depMods: [] },
          { op: 'delete_module', module: 'shop_audit', depMods: [] },
        ],
      }],
    });
  });

  test('the .rel of each release', async () => {
    const rel = parseRelFile(await consult(path.join(shop.relDir, 'releases/0.2.0/shop.rel')));
    expect(rel).toMatchObject({ name: 'shop', vsn: '0.2.0', erts: expect.stringMatching(/^\d+\.\d+/) });
    expect(rel.apps.map((a) => a.name)).toEqual(expect.arrayContaining(['kernel', 'stdlib', 'sasl', 'shop']));
    expect(rel.apps.find((a) => a.name === 'shop')).toEqual({ name: 'shop', vsn: '0.2.0' });
  });

  test('RELEASES of the built release, read from stdin', async () => {
    const text = await readFile(path.join(shop.relDir, 'releases/RELEASES'), 'utf8');
    const rows = parseReleasesFile(await runHelper(exec, localHelperDir(), 'consult', ['-'], { stdin: text }));
    expect(rows.map((r) => [r.name, r.vsn, r.status])).toEqual([['shop', '0.2.0', 'permanent']]);
    expect(rows[0]!.apps).toContain('shop-0.2.0');
    expect(rows[0]!.erts).toMatch(/^\d+\.\d+/);
  });
});

describe('release facts', () => {
  test('read with the release\'s own ERTS, as on a production host: the same digests, on_load unknown', async () => {
    const build = await runHelper(exec, localHelperDir(), 'facts', [shop.relDir, '0.2.0']).then(parseReleaseFacts);
    expect(build).toMatchObject({ name: 'shop', vsn: '0.2.0', relup: { vsn: '0.2.0' } });
    // As hotup runs it on a host: installed under the release root, started by the release's erl and boot file.
    await installHelpers(exec, shop.relDir);
    const own = await runHelperArgv(exec, hostHelperArgv(shop.relDir, 'shop', helpersDigest(), 'facts', [shop.relDir, '0.2.0']), 'facts').then(parseReleaseFacts);
    const digests = (f: ReleaseFacts) => f.apps.flatMap((a) => a.modules.map((m) => `${m.module}:${m.md5}`));
    expect(digests(own)).toEqual(digests(build));
    // The build host has the compiler to find on_load; a release's ERTS does not, and says so.
    expect(build.apps.flatMap((a) => a.modules).every((m) => m.onLoad === false)).toBe(true);
    expect(own.apps.flatMap((a) => a.modules).every((m) => m.onLoad === null)).toBe(true);
    // Apart from that, the compiled helper (build host) and the interpreted one (release's ERTS) say the same.
    const sansOnLoad = (f: ReleaseFacts) => ({ ...f, apps: f.apps.map((a) => ({ ...a, modules: a.modules.map((m) => ({ ...m, onLoad: null })) })) });
    expect(sansOnLoad(own)).toEqual(sansOnLoad(build));
  });

  test('upgrade-facts: the new release and the one its relup upgrades from, in one run, as facts reads each', async () => {
    const each = (vsn: string) => runHelper(exec, localHelperDir(), 'facts', [shop.relDir, vsn]).then(parseReleaseFacts);
    const both = await buildHostUpgradeFacts({ exec, dir: localHelperDir() }, shop.relDir, '0.2.0');
    expect(both.facts).toEqual(await each('0.2.0'));
    expect([...both.old.keys()]).toEqual(['0.1.0']);
    expect(both.old.get('0.1.0')).toEqual(await each('0.1.0'));
  });

  test('upgrade-facts: an old release that is not there fails alone, as a typed error', async () => {
    const r = await buildHostUpgradeFacts({ exec, dir: localHelperDir() }, shop.relDir, '0.2.0', '9.9.9');
    expect(r.facts.vsn).toBe('0.2.0');
    expect(r.old.get('9.9.9')).toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/not a release: .* has no releases\/9\.9\.9/) });
  });

  test('the compiled helper is kept in the cache directory, and made again in memory when that is not writable', async () => {
    const cache = path.join(scratch, 'cache');
    const facts = (env: Record<string, string>) => exec.run(['escript', path.join(localHelperDir(), 'hotup_helper.escript'), 'facts', shop.relDir, '0.2.0'], { env });
    const first = await facts({ XDG_CACHE_HOME: cache });
    expect(first.code).toBe(0);
    const twins = await readdir(path.join(cache, 'hotup'));
    expect(twins).toHaveLength(1);
    expect((await readdir(path.join(cache, 'hotup', twins[0]!))).sort()).toEqual(['hotup_beam.beam', 'hotup_helper_twin.beam']);
    expect((await facts({ XDG_CACHE_HOME: cache })).stdout).toBe(first.stdout);
    const blocked = path.join(scratch, 'not-a-dir');
    await writeFile(blocked, '');
    expect((await facts({ XDG_CACHE_HOME: blocked })).stdout).toBe(first.stdout);
  });
});

describe('which_releases/0', () => {
  test('from a live node running sasl', () => {
    const rows = parseWhichReleases(erlangTerm('release_handler:which_releases()', ['-boot', 'start_sasl']));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ erts: null, status: 'permanent' });
    expect(rows[0]!.apps.some((a) => /^kernel-\d/.test(a))).toBe(true);
  });

  test('every status, versions as charlists', () => {
    const rows = parseWhichReleases(erlangTerm('[{"shop", "0.2.0", ["kernel-8.5", "shop-0.2.0"], current}, {"shop", "0.1.0", [], permanent}, {"shop", "0.0.1", [], old}, {"shop", "0.3.0", [], unpacked}]'));
    expect(rows).toEqual([
      { name: 'shop', vsn: '0.2.0', erts: null, apps: ['kernel-8.5', 'shop-0.2.0'], status: 'current' },
      { name: 'shop', vsn: '0.1.0', erts: null, apps: [], status: 'permanent' },
      { name: 'shop', vsn: '0.0.1', erts: null, apps: [], status: 'old' },
      { name: 'shop', vsn: '0.3.0', erts: null, apps: [], status: 'unpacked' },
    ]);
  });
});

describe('every instruction form', () => {
  test('low-level, as OTP would write them', () => {
    const t = erlangTerm(`[{suspend, [{m, 5000}, {n, infinity}, o]}, {code_change, [{m, x}]}, {code_change, down, [{m, []}]}, {stop, [a]}, {start, [a]},
      {sync_nodes, id1, [n1@h]}, {sync_nodes, id2, {mod, nodes, []}}, {apply, {io, format, ["hi"]}}, point_of_no_return,
      restart_new_emulator, restart_emulator, {remove, {m, soft_purge, soft_purge}}, {purge, [m]}, {resume, [m]},
      {load, {m, brutal_purge, soft_purge}}, {load_object_code, {app, "1.0", [m, n]}}]`);
    expect(items(t).map(parseInstruction)).toEqual([
      { op: 'suspend', modules: [{ module: 'm', timeout: 5000 }, { module: 'n', timeout: 'infinity' }, { module: 'o', timeout: 'default' }] },
      { op: 'code_change', mode: null, changes: [{ module: 'm', extra: 'x' }] },
      { op: 'code_change', mode: 'down', changes: [{ module: 'm', extra: '[]' }] },
      { op: 'stop', modules: ['a'] },
      { op: 'start', modules: ['a'] },
      { op: 'sync_nodes', id: 'id1', nodes: ['n1@h'] },
      { op: 'sync_nodes', id: 'id2', nodes: { mfa: 'mod:nodes()' } },
      { op: 'apply', mfa: 'io:format("hi")' },
      { op: 'point_of_no_return' },
      { op: 'restart_new_emulator' },
      { op: 'restart_emulator' },
      { op: 'remove', module: 'm', prePurge: 'soft_purge', postPurge: 'soft_purge' },
      { op: 'purge', modules: ['m'] },
      { op: 'resume', modules: ['m'] },
      { op: 'load', module: 'm', prePurge: 'brutal_purge', postPurge: 'soft_purge' },
      { op: 'load_object_code', app: 'app', vsn: '1.0', modules: ['m', 'n'] },
    ]);
  });

  test('high-level appup instructions in every arity, with the defaults systools applies', () => {
    const t = erlangTerm(`[{update, m}, {update, m, supervisor}, {update, m, soft}, {update, m, [d]}, {update, m, {advanced, x}, [d]},
      {update, m, {advanced, x}, soft_purge, brutal_purge, [d]}, {update, m, 3000, soft, soft_purge, soft_purge, []},
      {update, m, static, infinity, {advanced, []}, brutal_purge, soft_purge, [d]},
      {load_module, m}, {load_module, m, [d]}, {load_module, m, soft_purge, brutal_purge, [d]},
      {add_module, m}, {add_module, m, [d]}, {delete_module, m}, {delete_module, m, [d]},
      {add_application, a}, {add_application, a, temporary}, {remove_application, a}, {restart_application, a},
      {apply, {m, f, []}}, restart_new_emulator]`);
    const base = { op: 'update', module: 'm', modType: 'dynamic', timeout: 'default', prePurge: 'brutal_purge', postPurge: 'brutal_purge' };
    const soft = { kind: 'soft' };
    expect(items(t).map(parseAppupInstruction)).toEqual([
      { ...base, change: soft, depMods: [] },
      { ...base, modType: 'static', change: { kind: 'advanced', extra: '[]' }, depMods: [] },
      { ...base, change: soft, depMods: [] },
      { ...base, change: soft, depMods: ['d'] },
      { ...base, change: { kind: 'advanced', extra: 'x' }, depMods: ['d'] },
      { ...base, change: { kind: 'advanced', extra: 'x' }, prePurge: 'soft_purge', depMods: ['d'] },
      { ...base, timeout: 3000, change: soft, prePurge: 'soft_purge', postPurge: 'soft_purge', depMods: [] },
      { ...base, modType: 'static', timeout: 'infinity', change: { kind: 'advanced', extra: '[]' }, postPurge: 'soft_purge', depMods: ['d'] },
      { op: 'load_module', module: 'm', prePurge: 'brutal_purge', postPurge: 'brutal_purge', depMods: [] },
      { op: 'load_module', module: 'm', prePurge: 'brutal_purge', postPurge: 'brutal_purge', depMods: ['d'] },
      { op: 'load_module', module: 'm', prePurge: 'soft_purge', postPurge: 'brutal_purge', depMods: ['d'] },
      { op: 'add_module', module: 'm', depMods: [] },
      { op: 'add_module', module: 'm', depMods: ['d'] },
      { op: 'delete_module', module: 'm', depMods: [] },
      { op: 'delete_module', module: 'm', depMods: ['d'] },
      { op: 'add_application', app: 'a', type: 'permanent' },
      { op: 'add_application', app: 'a', type: 'temporary' },
      { op: 'remove_application', app: 'a' },
      { op: 'restart_application', app: 'a' },
      { op: 'apply', mfa: 'm:f()' },
      { op: 'restart_new_emulator' },
    ]);
  });

  test('unknown or malformed instructions stay visible as unknown', () => {
    const t = erlangTerm('[{frobnicate, x}, {load, {m, sometimes, brutal_purge}}, self_destruct, {update, m, a, b, c}, {add_application, a, forever}]');
    expect(items(t).map(parseAppupInstruction)).toEqual([
      { op: 'unknown', printed: '{frobnicate,x}' },
      { op: 'unknown', printed: '{load,{m,sometimes,brutal_purge}}' },
      { op: 'unknown', printed: 'self_destruct' },
      { op: 'unknown', printed: '{update,m,a,b,c}' },
      { op: 'unknown', printed: '{add_application,a,forever}' },
    ]);
  });
});

describe('erlpack type collapsing cannot change a decision', () => {
  test('a tuple and a list with the same elements stay apart', () => {
    const [tuple, list] = items(erlangTerm('[{a, b}, [a, b]]'));
    expect(tuple!.kind).toBe('tuple');
    expect(list!.kind).toBe('list');
  });

  test('{advanced, X} suspends and migrates; [advanced, X] is a list of dependencies', () => {
    const [tuple, list] = items(erlangTerm('[{update, m, {advanced, x}}, {update, m, [advanced, x]}]'));
    expect(parseAppupInstruction(tuple!)).toMatchObject({ change: { kind: 'advanced', extra: 'x' }, depMods: [] });
    expect(parseAppupInstruction(list!)).toMatchObject({ change: { kind: 'soft' }, depMods: ['advanced', 'x'] });
  });

  test('an atom and a binary with the same text stay apart', () => {
    const [a, b] = items(erlangTerm('[restart_new_emulator, <<"restart_new_emulator">>]'));
    expect(a).toEqual({ kind: 'atom', name: 'restart_new_emulator' });
    expect(b).toEqual({ kind: 'binary', value: 'restart_new_emulator' });
    // Only the atom is the instruction that restarts the emulator.
    const path = (i: Term) => ({ vsn: '0.2.0', up: [{ vsn: '0.1.0', descr: '[]', instructions: [parseInstruction(i)] }], down: [{ vsn: '0.1.0', descr: '[]', instructions: [] }] });
    expect(relupPathRules(path(a!), { running: '0.1.0' }).map((f) => f.rule)).toEqual(['relup/restart-emulator']);
    expect(relupPathRules(path(b!), { running: '0.1.0' }).map((f) => f.rule)).toEqual(['relup/unknown-instruction']);
    // And the decision itself: an atom point_of_no_return goes hot; the binary would not.
    const [atom, binary] = items(erlangTerm('[point_of_no_return, <<"point_of_no_return">>]'));
    expect(decide(relupPathRules(path(atom!), { running: '0.1.0' })).kind).toBe('hot');
    expect(decide(relupPathRules(path(binary!), { running: '0.1.0' })).kind).toBe('restart');
  });

  test('an appup key that is a binary is a regex; the same text as a string is a literal', () => {
    const appup = parseAppup(erlangTerm('[{"0.2.0", [{<<"0\\\\.1\\\\..*">>, []}, {"0\\\\.1\\\\..*", []}], []}]'));
    const [regex, literal] = appup.up.map((e) => e.from);
    expect(regex).toEqual({ kind: 'regex', pattern: '0\\.1\\..*' });
    expect(literal).toEqual({ kind: 'exact', vsn: '0\\.1\\..*' });
    expect(appupMatches(regex!, '0.1.7')).toBe(true);
    expect(appupMatches(literal!, '0.1.7')).toBe(false);
  });

  test('a relup whose up-paths are a tuple, not a list, is rejected, not misread', () => {
    const t = erlangTerm('[{"2", {{"1", [], []}}, []}]');
    expect(() => parseRelup(t)).toThrow(/relup up-paths: expected a list/);
  });
});

describe('bad input gives a clear error, not a stack trace', () => {
  test('a truncated relup', async () => {
    const file = path.join(scratch, 'truncated-relup');
    await writeFile(file, (await readFile(shop.relup!, 'utf8')).slice(0, 200));
    await expect(consult(file)).rejects.toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/not a valid Erlang term file: .*truncated-relup/) });
  });

  test('garbage', async () => {
    const file = path.join(scratch, 'garbage-relup');
    await writeFile(file, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x41]));
    await expect(consult(file)).rejects.toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/not text/) });
  });

  test('a missing file', async () => {
    await expect(consult('/nonexistent/relup')).rejects.toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/missing or unreadable: \/nonexistent\/relup/) });
  });

  test('a term file with the wrong shape names what and where', async () => {
    const file = path.join(scratch, 'shapeless-relup');
    await writeFile(file, '{"0.2.0", [], [], extra}.\n');
    await expect(consult(file).then((t) => parseRelup(t))).rejects.toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/^relup: expected a 3-tuple, found \{"0\.2\.0",\[\],\[\],extra\}/) });
  });

  test('an unknown helper command is a usage error, distinct from the others', async () => {
    const r = await exec.run(['escript', path.join(localHelperDir(), 'hotup_helper.escript'), 'frobnicate']);
    expect(r.code).toBe(HELPER_EXIT.usage);
    await expect(runHelper(exec, localHelperDir(), 'frobnicate', [])).rejects.toMatchObject({ code: 'HELPER_FAILED', message: expect.stringMatching(/does not know `frobnicate`/) });
  });

  test('a directory that is not a release', async () => {
    await expect(runHelper(exec, localHelperDir(), 'facts', [scratch, '1.0.0'])).rejects.toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/not a release: .* has no releases\/1\.0\.0/) });
  });
});
