/**
 * Decoding real artifacts: a relup made by rebar3 from the fixture, RELEASES
 * and which_releases/0 as OTP writes them, all through the Erlang helper and
 * erlpack on the OTP these tests run.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalExecutor } from '../../src/remote/local.js';
import { localHelperDir, runHelper } from '../../src/release/helper.js';
import { parseRelup, parseInstruction } from '../../src/terms/relup.js';
import { parseReleasesFile, parseWhichReleases } from '../../src/terms/releases.js';
import { decodeFramed, type Term } from '../../src/terms/etf.js';
import { relupPathRules } from '../../src/validate/relup-paths.js';
import { decide } from '../../src/plan/decide.js';
import { buildRelease, buildRelup, checkout, tempDir } from '../support/shop-project.js';
import { newInstance } from '../support/shop-node.js';

const exec = new LocalExecutor();
let project: string;
let relupFile: string;

beforeAll(async () => {
  project = path.join(await tempDir('terms'), 'shop');
  const inst = await newInstance();
  await checkout(project, 'v1', inst);
  await buildRelease(project);
  await checkout(project, 'v2', inst);
  await buildRelease(project);
  relupFile = await buildRelup(project, '0.1.0', '0.2.0');
});

afterAll(async () => {
  if (project) await rm(path.dirname(project), { recursive: true, force: true });
});

const consult = (file: string) => runHelper(exec, localHelperDir(), 'consult', [file]);

/** An Erlang expression's value, encoded by encode.fun exactly as the helpers send it. */
function erlangTerm(expr: string): Term {
  const script = `{ok, B} = file:read_file("${localHelperDir()}/encode.fun"), {ok, T, _} = erl_scan:string(binary_to_list(B) ++ "."), {ok, [E]} = erl_parse:parse_exprs(T), {value, Enc, _} = erl_eval:expr(E, []), io:put_chars(["HOTUP1:", base64:encode(term_to_binary(Enc(${expr}), [{minor_version, 1}]))]), halt().`;
  const out = execFileSync('erl', ['-noshell', '-eval', script]).toString();
  return decodeFramed(out)!;
}

describe('a rebar3-made relup', () => {
  test('decodes into the exact typed instructions, up and down', async () => {
    const relup = parseRelup(await consult(relupFile));
    expect(relup.vsn).toBe('0.2.0');
    expect(relup.up.map((p) => p.vsn)).toEqual(['0.1.0']);
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
    expect(decide(relupPathRules(relup, '0.1.0'))).toBe('hot');
    expect(relupPathRules(relup, '0.0.9').map((f) => f.rule)).toEqual(['relup/no-up-path', 'relup/no-down-path']);
  });

  test('RELEASES from the built release', async () => {
    const text = await readFile(path.join(project, '_build/prod/rel/shop/releases/RELEASES'), 'utf8');
    const rows = parseReleasesFile(await runHelper(exec, localHelperDir(), 'consult', ['-'], { stdin: text }));
    expect(rows.map((r) => [r.name, r.vsn, r.status])).toEqual([['shop', '0.2.0', 'permanent']]);
    expect(rows[0]!.apps).toContain('shop-0.2.0');
    expect(rows[0]!.erts).toMatch(/^\d+\.\d+/);
  });
});

describe('every low-level instruction form', () => {
  test('parses from terms OTP would write', () => {
    const t = erlangTerm(`[{suspend, [{m, 5000}, {n, infinity}, o]}, {code_change, [{m, x}]}, {stop, [a]}, {start, [a]},
      {sync_nodes, id1, [n1@h]}, {sync_nodes, id2, {mod, nodes, []}}, {apply, {io, format, ["hi"]}},
      restart_new_emulator, restart_emulator, {remove, {m, soft_purge, soft_purge}}]`);
    expect(t.kind).toBe('list');
    expect((t as { items: Term[] }).items.map(parseInstruction)).toEqual([
      { op: 'suspend', modules: [{ module: 'm', timeout: 5000 }, { module: 'n', timeout: 'infinity' }, { module: 'o', timeout: 'default' }] },
      { op: 'code_change', mode: null, changes: [{ module: 'm', extra: 'x' }] },
      { op: 'stop', modules: ['a'] },
      { op: 'start', modules: ['a'] },
      { op: 'sync_nodes', id: 'id1', nodes: ['n1@h'] },
      { op: 'sync_nodes', id: 'id2', nodes: { mfa: 'mod:nodes()' } },
      { op: 'apply', mfa: 'io:format("hi")' },
      { op: 'restart_new_emulator' },
      { op: 'restart_emulator' },
      { op: 'remove', module: 'm', prePurge: 'soft_purge', postPurge: 'soft_purge' },
    ]);
  });

  test('unknown or malformed instructions stay visible as unknown', () => {
    const t = erlangTerm('[{frobnicate, x}, {load, {m, sometimes, brutal_purge}}, self_destruct]');
    expect((t as { items: Term[] }).items.map(parseInstruction)).toEqual([
      { op: 'unknown', printed: '{frobnicate,x}' },
      { op: 'unknown', printed: '{load,{m,sometimes,brutal_purge}}' },
      { op: 'unknown', printed: 'self_destruct' },
    ]);
  });
});

describe('erlpack type collapsing cannot change a decision', () => {
  test('a tuple and a list with the same elements stay apart', () => {
    expect(erlangTerm('{a, b}').kind).toBe('tuple');
    expect(erlangTerm('[a, b]').kind).toBe('list');
  });

  test('an atom and a binary with the same text stay apart', () => {
    expect(erlangTerm('restart_new_emulator')).toEqual({ kind: 'atom', name: 'restart_new_emulator' });
    expect(erlangTerm('<<"restart_new_emulator">>')).toEqual({ kind: 'binary', value: 'restart_new_emulator' });
    // Only the atom is the instruction that forces a restart.
    expect(parseInstruction(erlangTerm('restart_new_emulator')).op).toBe('restart_new_emulator');
    expect(parseInstruction(erlangTerm('<<"restart_new_emulator">>')).op).toBe('unknown');
  });

  test('a relup whose up-path is a tuple, not a list, is rejected, not misread', () => {
    const t = erlangTerm('[{"2", {{"1", [], []}}, []}]');
    expect(() => parseRelup(t)).toThrow(/relup up-paths: expected a list/);
  });

  test('which_releases/0 with versions as charlists', () => {
    const rows = parseWhichReleases(erlangTerm('[{"shop", "0.2.0", ["kernel-8.5", "shop-0.2.0"], current}, {"shop", "0.1.0", [], permanent}]'));
    expect(rows).toEqual([
      { name: 'shop', vsn: '0.2.0', erts: null, apps: ['kernel-8.5', 'shop-0.2.0'], status: 'current' },
      { name: 'shop', vsn: '0.1.0', erts: null, apps: [], status: 'permanent' },
    ]);
  });
});

describe('bad input gives a clear error, not a stack trace', () => {
  test('a truncated relup', async () => {
    const dir = await tempDir('bad');
    const file = path.join(dir, 'relup');
    await writeFile(file, (await readFile(relupFile, 'utf8')).slice(0, 200));
    await expect(consult(file)).rejects.toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/not a valid Erlang term file/) });
  });

  test('garbage', async () => {
    const dir = await tempDir('bad');
    const file = path.join(dir, 'relup');
    await writeFile(file, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x41]));
    await expect(consult(file)).rejects.toMatchObject({ code: 'ARTIFACT_INVALID' });
  });

  test('a missing file', async () => {
    await expect(consult('/nonexistent/relup')).rejects.toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/missing/) });
  });

  test('a term file with the wrong shape', async () => {
    const dir = await tempDir('bad');
    const file = path.join(dir, 'relup');
    await writeFile(file, '{"0.2.0", [], [], extra}.\n');
    await expect(consult(file).then(parseRelup)).rejects.toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/expected a 3-tuple/) });
  });
});
