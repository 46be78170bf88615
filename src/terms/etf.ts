import { HotupError } from '../errors.js';
import { erlpack } from './erlpack.js';

/**
 * An Erlang term as the helpers send it: every type distinction erlpack would
 * collapse (tuple/list, atom/binary) was kept by erlang-helpers/encode.fun.
 */
export type Term =
  | { kind: 'atom'; name: string }
  | { kind: 'binary'; value: string }
  | { kind: 'int'; value: number }
  /** An integer JS numbers cannot hold exactly, in decimal. */
  | { kind: 'bignum'; digits: string }
  | { kind: 'float'; value: number }
  | { kind: 'tuple'; items: Term[] }
  | { kind: 'list'; items: Term[] }
  | { kind: 'improper'; items: Term[]; tail: Term }
  | { kind: 'map'; entries: Array<[Term, Term]> }
  | { kind: 'opaque'; printed: string };

/** Helpers print their one result as `HOTUP1:<base64 of term_to_binary>`. */
export const FRAME_PREFIX = 'HOTUP1:';
const FRAME_RE = /HOTUP1:([A-Za-z0-9+/=]+)/;

function fromRaw(raw: unknown): Term {
  if (typeof raw === 'number') return { kind: 'int', value: raw };
  // erlpack hands integers of 2^31 and more (a small big, up to 8 bytes) over as decimal text; larger ones come tagged.
  if (typeof raw === 'string' && /^-?\d+$/.test(raw)) return { kind: 'int', value: Number(raw) };
  if (Array.isArray(raw)) return { kind: 'list', items: raw.map(fromRaw) };
  if (raw !== null && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    if (typeof o.a === 'string') return { kind: 'atom', name: o.a };
    if (typeof o.b === 'string') return { kind: 'binary', value: o.b };
    if (Array.isArray(o.t)) return { kind: 'tuple', items: o.t.map(fromRaw) };
    if (Array.isArray(o.il)) return { kind: 'improper', items: o.il.map(fromRaw), tail: fromRaw(o.tail) };
    if (typeof o.x === 'string') return { kind: 'opaque', printed: o.x };
    if (typeof o.n === 'string') return { kind: 'bignum', digits: o.n };
    if (typeof o.f === 'number') return { kind: 'float', value: o.f };
    if (Array.isArray(o.m)) {
      return {
        kind: 'map',
        entries: o.m.map((kv): [Term, Term] => {
          if (!Array.isArray(kv) || kv.length !== 2) throw decodeError('a map entry is not a pair');
          return [fromRaw(kv[0]), fromRaw(kv[1])];
        }),
      };
    }
  }
  // A bare string here would be an untagged atom or binary: the helper never sends one.
  throw decodeError(`unexpected value ${JSON.stringify(raw)?.slice(0, 80)}`);
}

function decodeError(detail: string): HotupError {
  return new HotupError(
    'TERM_DECODE',
    `could not decode a helper's reply: ${detail}`,
    'This is a mismatch between hotup and its Erlang helpers; reinstall hotup so both come from the same version.',
  );
}

/** Decode the ETF bytes of an encoded term. */
export function decodeEtf(bytes: Buffer): Term {
  let raw: unknown;
  try {
    raw = erlpack().unpack(bytes);
  } catch (e) {
    throw decodeError(`erlpack rejected the bytes (${(e as Error).message})`);
  }
  return fromRaw(raw);
}

/** Find the framed result in a command's output and decode it; undefined when absent. */
export function decodeFramed(output: string): Term | undefined {
  const m = FRAME_RE.exec(output);
  if (!m?.[1]) return undefined;
  return decodeEtf(Buffer.from(m[1], 'base64'));
}

/** A charlist or binary as a JS string; undefined for anything else. */
export function textOf(t: Term): string | undefined {
  if (t.kind === 'binary') return t.value;
  if (t.kind === 'list' && t.items.every((i) => i.kind === 'int' && i.value >= 0 && i.value <= 0x10ffff)) {
    return String.fromCodePoint(...t.items.map((i) => (i as { value: number }).value));
  }
  return undefined;
}

export function atomOf(t: Term): string | undefined {
  return t.kind === 'atom' ? t.name : undefined;
}

/** T is the atom NAME (false for undefined, as a missing tuple element is). */
export function isAtom(t: Term | undefined, name: string): boolean {
  return t?.kind === 'atom' && t.name === name;
}

/** Erlang-like rendering for messages and for instructions hotup does not model. */
export function printTerm(t: Term): string {
  switch (t.kind) {
    case 'atom':
      return /^[a-z][A-Za-z0-9_@]*$/.test(t.name) ? t.name : `'${t.name.replace(/'/g, "\\'")}'`;
    case 'binary':
      return `<<${JSON.stringify(t.value)}>>`;
    case 'int':
      return String(t.value);
    case 'float':
      return Number.isInteger(t.value) ? t.value.toFixed(1) : String(t.value);
    case 'tuple':
      return `{${t.items.map(printTerm).join(',')}}`;
    case 'list': {
      const s = textOf(t);
      if (s !== undefined && t.items.length > 0 && /^[\x20-\x7e]*$/.test(s)) return JSON.stringify(s);
      return `[${t.items.map(printTerm).join(',')}]`;
    }
    case 'improper':
      return `[${t.items.map(printTerm).join(',')}|${printTerm(t.tail)}]`;
    case 'map':
      return `#{${t.entries.map(([k, v]) => `${printTerm(k)} => ${printTerm(v)}`).join(',')}}`;
    case 'opaque':
      return t.printed;
    case 'bignum':
      return t.digits;
  }
}
