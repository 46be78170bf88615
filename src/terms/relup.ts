/** The relup file, typed: exhaustive over OTP's low-level instructions. */
import { printTerm, type Term } from './etf.js';
import type { Relup, RelupInstruction, RelupPath, SuspendTimeout } from './model.js';
import { atomList, mfa, purgeMode, suspendTimeout } from './instruction-parts.js';
import { at, atom, listItems, malformed, text, tupleItems } from './shape.js';

function changes(t: Term, where: string): Array<{ module: string; extra: string }> {
  return listItems(t, where).map((c) => {
    const [m, extra] = tupleItems(c, 2, where);
    return { module: atom(m!, where), extra: printTerm(extra!) };
  });
}

function suspended(t: Term, where: string): { module: string; timeout: SuspendTimeout } {
  if (t.kind === 'atom') return { module: t.name, timeout: 'default' };
  const [m, to] = tupleItems(t, 2, where);
  return { module: atom(m!, where), timeout: suspendTimeout(to!, where) };
}

function known(t: Term & { kind: 'tuple' }, name: string, where: string): RelupInstruction | null {
  const [, a, b] = t.items;
  const n = t.items.length;
  switch (name) {
    case 'load_object_code': {
      if (n !== 2) return null;
      const [app, vsn, mods] = tupleItems(a!, 3, where);
      return { op: 'load_object_code', app: atom(app!, where), vsn: text(vsn!, where), modules: atomList(mods!, where) };
    }
    case 'load':
    case 'remove': {
      if (n !== 2) return null;
      const [m, pre, post] = tupleItems(a!, 3, where);
      return { op: name, module: atom(m!, where), prePurge: purgeMode(pre!, where), postPurge: purgeMode(post!, where) };
    }
    case 'purge':
    case 'resume':
    case 'stop':
    case 'start':
      return n === 2 ? { op: name, modules: atomList(a!, where) } : null;
    case 'suspend':
      return n === 2 ? { op: 'suspend', modules: listItems(a!, where).map((m) => suspended(m, where)) } : null;
    case 'code_change': {
      if (n === 2) return { op: 'code_change', mode: null, changes: changes(a!, where) };
      if (n !== 3) return null;
      const mode = atom(a!, where);
      return mode === 'up' || mode === 'down' ? { op: 'code_change', mode, changes: changes(b!, where) } : null;
    }
    case 'sync_nodes':
      return n === 3 ? { op: 'sync_nodes', id: printTerm(a!), nodes: b!.kind === 'tuple' ? { mfa: mfa(b!, where) } : atomList(b!, where) } : null;
    case 'apply':
      return n === 2 ? { op: 'apply', mfa: mfa(a!, where) } : null;
    default:
      return null;
  }
}

/**
 * One instruction. A shape OTP does not define becomes `unknown` rather than
 * an error, so the rules can name it; only the atom forms are instructions
 * (a binary `<<"restart_new_emulator">>` is not).
 */
export function parseInstruction(t: Term): RelupInstruction {
  const unknown: RelupInstruction = { op: 'unknown', printed: printTerm(t) };
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
  if (t.kind !== 'tuple' || t.items[0]?.kind !== 'atom') return unknown;
  try {
    return known(t, t.items[0].name, printTerm(t).slice(0, 80)) ?? unknown;
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

/** From a `consult` of a relup file: exactly one `{Vsn, [UpPath], [DownPath]}` term. */
export function parseRelup(consulted: Term, file = 'relup'): Relup {
  const terms = listItems(consulted, file);
  if (terms.length !== 1) throw malformed('exactly one term', file, consulted);
  const [vsn, up, down] = tupleItems(at(terms, 0), 3, file);
  return {
    vsn: text(vsn!, `${file} version`),
    up: listItems(up!, `${file} up-paths`).map((p, i) => parsePath(p, `${file} up-path ${i + 1}`)),
    down: listItems(down!, `${file} down-paths`).map((p, i) => parsePath(p, `${file} down-path ${i + 1}`)),
  };
}

/** The modules an instruction acts on. */
export function modulesOf(i: RelupInstruction): string[] {
  switch (i.op) {
    case 'load_object_code':
    case 'purge':
    case 'resume':
    case 'stop':
    case 'start':
      return i.modules;
    case 'load':
    case 'remove':
      return [i.module];
    case 'suspend':
      return i.modules.map((m) => m.module);
    case 'code_change':
      return i.changes.map((c) => c.module);
    default:
      return [];
  }
}
