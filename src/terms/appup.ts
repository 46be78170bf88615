/**
 * .appup files, typed: high-level instructions normalised the way systools
 * expands them, and version keys that keep their literal-or-regex distinction.
 */
import { printTerm, type Term } from './etf.js';
import type { ApplicationStartType, Appup, AppupEntry, AppupInstruction, AppupVersion, HighLevelInstruction, ModuleChange } from './model.js';
import { atomList, purgeMode, suspendTimeout } from './instruction-parts.js';
import { parseInstruction } from './relup.js';
import { at, atom, listItems, malformed, text, tupleItems } from './shape.js';

const START_TYPES: readonly string[] = ['permanent', 'transient', 'temporary', 'load', 'none'];

function change(t: Term, where: string): ModuleChange {
  if (t.kind === 'atom' && t.name === 'soft') return { kind: 'soft' };
  const [tag, extra] = tupleItems(t, 2, where);
  if (atom(tag!, where) !== 'advanced') throw malformed('soft or {advanced, Extra}', where, t);
  return { kind: 'advanced', extra: printTerm(extra!) };
}

function update(items: Term[], where: string): HighLevelInstruction {
  const module = atom(at(items, 1), where);
  const full = (c: ModuleChange, depMods: string[], rest: Partial<Pick<Extract<HighLevelInstruction, { op: 'update' }>, 'modType' | 'timeout' | 'prePurge' | 'postPurge'>> = {}): HighLevelInstruction => ({
    op: 'update', module, modType: 'dynamic', timeout: 'default', change: c, prePurge: 'brutal_purge', postPurge: 'brutal_purge', depMods, ...rest,
  });
  const [, , a, b, c, d, e, f] = items;
  switch (items.length) {
    case 2:
      return full({ kind: 'soft' }, []);
    case 3:
      if (a!.kind === 'atom' && a!.name === 'supervisor') return full({ kind: 'advanced', extra: '[]' }, [], { modType: 'static' });
      return a!.kind === 'list' ? full({ kind: 'soft' }, atomList(a!, where)) : full(change(a!, where), []);
    case 4:
      return full(change(a!, where), atomList(b!, where));
    case 6:
      return full(change(a!, where), atomList(d!, where), { prePurge: purgeMode(b!, where), postPurge: purgeMode(c!, where) });
    case 7:
      return full(change(b!, where), atomList(e!, where), { timeout: suspendTimeout(a!, where), prePurge: purgeMode(c!, where), postPurge: purgeMode(d!, where) });
    case 8: {
      const modType = atom(a!, where);
      if (modType !== 'static' && modType !== 'dynamic') throw malformed('static or dynamic', where, a!);
      return full(change(c!, where), atomList(f!, where), { modType, timeout: suspendTimeout(b!, where), prePurge: purgeMode(d!, where), postPurge: purgeMode(e!, where) });
    }
    default:
      throw malformed('an update instruction of appup(4)', where, { kind: 'tuple', items });
  }
}

function highLevel(name: string, items: Term[], where: string): HighLevelInstruction | null {
  const n = items.length;
  const mod = () => atom(at(items, 1), where);
  switch (name) {
    case 'update':
      return update(items, where);
    case 'load_module':
      if (n === 2) return { op: 'load_module', module: mod(), prePurge: 'brutal_purge', postPurge: 'brutal_purge', depMods: [] };
      if (n === 3) return { op: 'load_module', module: mod(), prePurge: 'brutal_purge', postPurge: 'brutal_purge', depMods: atomList(at(items, 2), where) };
      if (n === 5) return { op: 'load_module', module: mod(), prePurge: purgeMode(at(items, 2), where), postPurge: purgeMode(at(items, 3), where), depMods: atomList(at(items, 4), where) };
      return null;
    case 'add_module':
    case 'delete_module':
      if (n === 2 || n === 3) return { op: name, module: mod(), depMods: n === 3 ? atomList(at(items, 2), where) : [] };
      return null;
    case 'add_application': {
      if (n !== 2 && n !== 3) return null;
      const type = n === 3 ? atom(at(items, 2), where) : 'permanent';
      if (!START_TYPES.includes(type)) throw malformed('an application start type', where, at(items, 2));
      return { op: 'add_application', app: mod(), type: type as ApplicationStartType };
    }
    case 'remove_application':
    case 'restart_application':
      return n === 2 ? { op: name, app: mod() } : null;
    default:
      return null;
  }
}

/** One appup instruction; a shape appup(4) does not define becomes `unknown` rather than an error. */
export function parseAppupInstruction(t: Term): AppupInstruction {
  if (t.kind !== 'tuple' || t.items[0]?.kind !== 'atom') return parseInstruction(t);
  const where = printTerm(t).slice(0, 80);
  try {
    return highLevel(t.items[0].name, t.items, where) ?? parseInstruction(t);
  } catch {
    // A known head with a malformed body: keep it visible as unknown.
    return { op: 'unknown', printed: printTerm(t) };
  }
}

function appupVersion(t: Term, where: string): AppupVersion {
  // systools treats a binary as a regular expression and a string as the exact version.
  if (t.kind === 'binary') return { kind: 'regex', pattern: t.value };
  return { kind: 'exact', vsn: text(t, where) };
}

function entries(t: Term, where: string): AppupEntry[] {
  return listItems(t, where).map((e, i) => {
    const place = `${where} entry ${i + 1}`;
    const [from, instrs] = tupleItems(e, 2, place);
    return { from: appupVersion(from!, `${place} version`), instructions: listItems(instrs!, `${place} instructions`).map(parseAppupInstruction) };
  });
}

/** From a `consult` of an .appup file: exactly one `{Vsn, UpFrom, DownTo}` term. */
export function parseAppup(consulted: Term, file = '.appup'): Appup {
  const terms = listItems(consulted, file);
  if (terms.length !== 1) throw malformed('exactly one term', file, consulted);
  const [vsn, up, down] = tupleItems(at(terms, 0), 3, file);
  return { vsn: text(vsn!, `${file} version`), up: entries(up!, `${file} up`), down: entries(down!, `${file} down`) };
}

/** An appup version key as written in the file. */
export function printAppupVersion(v: AppupVersion): string {
  return v.kind === 'exact' ? `"${v.vsn}"` : `<<"${v.pattern}">>`;
}

/**
 * Does an appup entry apply to VSN? As systools decides: an exact string, or
 * a regex whose first match is the whole version. A pattern JavaScript cannot
 * compile is reported as malformed rather than silently not matching.
 */
export function appupMatches(from: AppupVersion, vsn: string, file = '.appup'): boolean {
  if (from.kind === 'exact') return from.vsn === vsn;
  let re: RegExp;
  try {
    re = new RegExp(from.pattern, 'u');
  } catch {
    throw malformed('a regular expression', `${file} version`, { kind: 'binary', value: from.pattern });
  }
  return re.exec(vsn)?.[0] === vsn;
}
