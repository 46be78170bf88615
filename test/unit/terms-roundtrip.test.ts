/**
 * Decoding never fails on a valid term: terms generated here are written as
 * Erlang source, evaluated by a real Erlang VM, encoded as every helper and
 * live call encodes its answer (erlang-helpers/encode.fun), and must decode
 * back to the same typed term.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeFramed, printTerm, type Term } from '../../src/terms/etf.js';

const run = promisify(execFile);
const HELPERS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../erlang-helpers');

/** Reads one Erlang expression a line, prints its value framed as the helpers frame results. */
const EVALUATOR = `#!/usr/bin/env escript
-mode(interpret).
main([Enc, Input]) ->
    {ok, Src} = file:read_file(Enc),
    {ok, T, _} = erl_scan:string(unicode:characters_to_list(Src) ++ "."),
    {ok, [E]} = erl_parse:parse_exprs(T),
    {value, F, _} = erl_eval:expr(E, erl_eval:new_bindings()),
    {ok, Text} = file:read_file(Input),
    [emit(F, L) || L <- string:split(unicode:characters_to_list(Text), "\\n", all), L =/= ""].
emit(F, Line) ->
    {ok, T, _} = erl_scan:string(Line ++ "."),
    {ok, Es} = erl_parse:parse_exprs(T),
    {value, V, _} = erl_eval:exprs(Es, erl_eval:new_bindings()),
    io:put_chars(["HOTUP1:", base64:encode(term_to_binary(F(V), [{minor_version, 1}])), $\\n]).
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-terms-'));
  await writeFile(path.join(dir, 'eval.escript'), EVALUATOR);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What a real VM answers for each expression, decoded as hotup decodes it. */
async function viaErlang(exprs: string[]): Promise<Term[]> {
  const input = path.join(dir, 'input');
  await writeFile(input, exprs.map((e) => `${e}\n`).join(''));
  const { stdout } = await run('escript', [path.join(dir, 'eval.escript'), path.join(HELPERS, 'encode.fun'), input],
    { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim().split('\n').map((l) => {
    const t = decodeFramed(l);
    if (!t) throw new Error(`no frame in ${l.slice(0, 80)}`);
    return t;
  });
}

function erlChars(s: string, quote: string): string {
  return [...s].map((c) => {
    const cp = c.codePointAt(0)!;
    if (c === quote || c === '\\') return `\\${c}`;
    return cp < 0x20 || cp === 0x7f ? `\\x{${cp.toString(16)}}` : c;
  }).join('');
}

function floatSource(v: number): string {
  const s = String(v);
  if (/[.]/.test(s)) return s;
  const [m, e] = s.split('e');
  return e === undefined ? `${m}.0` : `${m}.0e${e}`;
}

/** TERM as Erlang source text. */
function source(t: Term): string {
  switch (t.kind) {
    case 'atom': return `'${erlChars(t.name, "'")}'`;
    case 'binary': return `<<"${erlChars(t.value, '"')}"/utf8>>`;
    case 'int': return String(t.value);
    case 'bignum': return t.digits;
    case 'float': return floatSource(t.value);
    case 'tuple': return `{${t.items.map(source).join(',')}}`;
    case 'list': return `[${t.items.map(source).join(',')}]`;
    case 'improper': return `[${t.items.map(source).join(',')}|${source(t.tail)}]`;
    case 'map': return `#{${t.entries.map(([k, v]) => `${source(k)} => ${source(v)}`).join(',')}}`;
    case 'opaque': return t.printed;
  }
}

/** Map entries in a canonical order: a VM lists them in its own. */
function canonical(t: Term): unknown {
  switch (t.kind) {
    case 'tuple':
    case 'list': return { kind: t.kind, items: t.items.map(canonical) };
    case 'improper': return { kind: t.kind, items: t.items.map(canonical), tail: canonical(t.tail) };
    case 'map': return { kind: 'map', entries: t.entries.map(([k, v]) => [canonical(k), canonical(v)]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
    case 'float': return { kind: 'float', value: t.value === 0 ? 0 : t.value };
    case 'opaque': return { kind: 'opaque' };
    default: return t;
  }
}

const LIMIT = 2n ** 53n;
const integer = fc.oneof(fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), fc.bigInt({ min: -(2n ** 33n), max: 2n ** 33n })).map((n): Term =>
  (n > -LIMIT && n < LIMIT ? { kind: 'int', value: Number(n) } : { kind: 'bignum', digits: n.toString() }));
const leaf: fc.Arbitrary<Term> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => [...s].length <= 255).map((name): Term => ({ kind: 'atom', name })),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((value): Term => ({ kind: 'binary', value })),
  integer,
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value): Term => ({ kind: 'float', value })),
  fc.constantFrom('self()', 'make_ref()', 'fun() -> ok end', 'hd(erlang:ports())').map((printed): Term => ({ kind: 'opaque', printed })),
);
const { term } = fc.letrec((tie) => ({
  term: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('tuple'), tie('list'), tie('improper'), tie('map')),
  tuple: fc.array(tie('term') as fc.Arbitrary<Term>, { maxLength: 5 }).map((items): Term => ({ kind: 'tuple', items })),
  list: fc.array(tie('term') as fc.Arbitrary<Term>, { maxLength: 5 }).map((items): Term => ({ kind: 'list', items })),
  improper: fc.tuple(fc.array(tie('term') as fc.Arbitrary<Term>, { minLength: 1, maxLength: 4 }), leaf)
    .map(([items, tail]): Term => ({ kind: 'improper', items, tail })),
  map: fc.uniqueArray(fc.tuple(leaf.filter((k) => k.kind !== 'opaque' && k.kind !== 'float'), tie('term') as fc.Arbitrary<Term>), { maxLength: 4, selector: ([k]) => source(k) })
    .map((entries): Term => ({ kind: 'map', entries })),
}));

describe('terms from a real Erlang VM decode to what they are', () => {
  test('generated terms of every kind, nested', async () => {
    const samples = fc.sample(term as fc.Arbitrary<Term>, { numRuns: 300, seed: 20261130 });
    const decoded = await viaErlang(samples.map(source));
    expect(decoded.map(canonical)).toEqual(samples.map(canonical));
  });

  test('the edges: floats that look whole, integers at and past 2^53, pids and refs inside error tuples', async () => {
    const [one, negZero, atLimit, pastLimit, huge, error, charlist] = await viaErlang([
      '1.0', '-0.0', '9007199254740991', '9007199254740993', '-(1 bsl 1000)',
      '{error, {code_change_failed, {badmatch, 1 bsl 70}, self(), make_ref()}}', '"0.2.0"',
    ]);
    expect(one).toEqual({ kind: 'float', value: 1 });
    expect(printTerm(one!)).toBe('1.0');
    expect(negZero?.kind).toBe('float');
    expect(atLimit).toEqual({ kind: 'int', value: 9007199254740991 });
    expect(pastLimit).toEqual({ kind: 'bignum', digits: '9007199254740993' });
    expect(huge).toEqual({ kind: 'bignum', digits: (-(1n << 1000n)).toString() });
    expect(printTerm(error!)).toMatch(/^\{error,\{code_change_failed,\{badmatch,1180591620717411303424\},<\d+\.\d+\.\d+>,#Ref<[\d.]+>\}\}$/);
    expect(printTerm(charlist!)).toBe('"0.2.0"');
  });
});
