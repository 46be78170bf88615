/** The relup file, typed: exhaustive over OTP's low-level instructions. */
import { printTerm, type Term } from './etf.js';
import type { PurgeMode, Relup, RelupInstruction, RelupPath } from './model.js';
import { at, atom, listItems, malformed, text, tupleItems } from './shape.js';

function atomList(t: Term, where: string): string[] {
  return listItems(t, where).map((m) => atom(m, where));
}

function purgeMode(t: Term, where: string): PurgeMode {
  const m = atom(t, where);
  if (m !== 'soft_purge' && m !== 'brutal_purge') throw malformed('soft_purge or brutal_purge', where, t);
  return m;
}

function mfa(t: Term, where: string): string {
  const [m, f, a] = tupleItems(t, 3, where);
  return `${atom(m!, where)}:${atom(f!, where)}(${listItems(a!, where).map(printTerm).join(', ')})`;
}

function suspended(t: Term, where: string): { module: string; timeout: number | 'default' | 'infinity' } {
  if (t.kind === 'atom') return { module: t.name, timeout: 'default' };
  const [m, to] = tupleItems(t, 2, where);
  if (to!.kind === 'int') return { module: atom(m!, where), timeout: to!.value };
  const a = atom(to!, where);
  if (a !== 'infinity' && a !== 'default') throw malformed('a timeout', where, t);
  return { module: atom(m!, where), timeout: a };
}

function changes(t: Term, where: string): Array<{ module: string; extra: string }> {
  return listItems(t, where).map((c) => {
    const [m, extra] = tupleItems(c, 2, where);
    return { module: atom(m!, where), extra: printTerm(extra!) };
  });
}

/** One instruction; a shape OTP does not define becomes `unknown` rather than an error. */
export function parseInstruction(t: Term): RelupInstruction {
  const unknown: RelupInstruction = { op: 'unknown', printed: printTerm(t) };
  try {
    if (t.kind === 'atom') {
      switch (t.name) {
        case 'point_of_no_return':
        case 'restart_new_emulator':
        case 'restart_emulator':
          return { op: t.name };
        default:
          return unknown;
      }
    }
    if (t.kind !== 'tuple' || t.items.length < 2 || t.items[0]!.kind !== 'atom') return unknown;
    const [head, a, b] = t.items;
    const where = printTerm(t).slice(0, 80);
    const name = atom(head!, where);
    switch (name) {
      case 'load_object_code': {
        if (t.items.length !== 2) return unknown;
        const [app, vsn, mods] = tupleItems(a!, 3, where);
        return { op: 'load_object_code', app: atom(app!, where), vsn: text(vsn!, where), modules: atomList(mods!, where) };
      }
      case 'load':
      case 'remove': {
        if (t.items.length !== 2) return unknown;
        const [m, pre, post] = tupleItems(a!, 3, where);
        return { op: name, module: atom(m!, where), prePurge: purgeMode(pre!, where), postPurge: purgeMode(post!, where) };
      }
      case 'purge':
        return t.items.length === 2 ? { op: 'purge', modules: atomList(a!, where) } : unknown;
      case 'suspend':
        return t.items.length === 2 ? { op: 'suspend', modules: listItems(a!, where).map((m) => suspended(m, where)) } : unknown;
      case 'resume':
        return t.items.length === 2 ? { op: 'resume', modules: atomList(a!, where) } : unknown;
      case 'stop':
        return t.items.length === 2 ? { op: 'stop', modules: atomList(a!, where) } : unknown;
      case 'start':
        return t.items.length === 2 ? { op: 'start', modules: atomList(a!, where) } : unknown;
      case 'code_change': {
        if (t.items.length === 2) return { op: 'code_change', mode: null, changes: changes(a!, where) };
        if (t.items.length !== 3) return unknown;
        const mode = atom(a!, where);
        if (mode !== 'up' && mode !== 'down') return unknown;
        return { op: 'code_change', mode, changes: changes(b!, where) };
      }
      case 'sync_nodes': {
        if (t.items.length !== 3) return unknown;
        const nodes = b!.kind === 'tuple' ? { mfa: mfa(b!, where) } : atomList(b!, where);
        return { op: 'sync_nodes', id: printTerm(a!), nodes };
      }
      case 'apply':
        return t.items.length === 2 ? { op: 'apply', mfa: mfa(a!, where) } : unknown;
      default:
        return unknown;
    }
  } catch {
    // A known head with a malformed body: keep it visible as unknown.
    return unknown;
  }
}

function parsePath(t: Term, where: string): RelupPath {
  const [vsn, descr, instrs] = tupleItems(t, 3, where);
  return {
    vsn: text(vsn!, `${where} version`),
    descr: printTerm(descr!),
    instructions: listItems(instrs!, `${where} instructions`).map(parseInstruction),
  };
}

/** From the helper's `consult` of a relup file: exactly one `{Vsn, Up, Down}` term. */
export function parseRelup(consulted: Term): Relup {
  const terms = listItems(consulted, 'relup');
  if (terms.length !== 1) throw malformed('exactly one term', 'relup', consulted);
  const [vsn, up, down] = tupleItems(at(terms, 0), 3, 'relup');
  return {
    vsn: text(vsn!, 'relup version'),
    up: listItems(up!, 'relup up-paths').map((p, i) => parsePath(p, `relup up-path ${i + 1}`)),
    down: listItems(down!, 'relup down-paths').map((p, i) => parsePath(p, `relup down-path ${i + 1}`)),
  };
}
