/** .appup files, typed: the version keys keep their literal-or-regex distinction. */
import { printTerm, type Term } from './etf.js';
import type { Appup, AppupEntry, AppupVersion } from './model.js';
import { listItems, malformed, text, tupleItems } from './shape.js';

function appupVersion(t: Term, where: string): AppupVersion {
  // systools treats a binary as a regular expression and a string as the exact version.
  if (t.kind === 'binary') return { kind: 'regex', pattern: t.value };
  return { kind: 'exact', vsn: text(t, where) };
}

function entries(t: Term, where: string): AppupEntry[] {
  return listItems(t, where).map((e, i) => {
    const [from, instrs] = tupleItems(e, 2, `${where} entry ${i + 1}`);
    return { from: appupVersion(from!, `${where} entry ${i + 1}`), instructions: listItems(instrs!, where).map(printTerm) };
  });
}

export function parseAppup(t: Term, where: string): Appup {
  const [vsn, up, down] = tupleItems(t, 3, where);
  return { vsn: text(vsn!, `${where} version`), up: entries(up!, `${where} up`), down: entries(down!, `${where} down`) };
}

/** Does an appup entry apply to VSN? Same rule as systools: exact string, or a regex matching all of it. */
export function appupMatches(from: AppupVersion, vsn: string): boolean {
  if (from.kind === 'exact') return from.vsn === vsn;
  try {
    const m = new RegExp(from.pattern, 'u').exec(vsn);
    return m?.[0] === vsn;
  } catch {
    throw malformed('a regular expression', 'appup version', { kind: 'binary', value: from.pattern });
  }
}
