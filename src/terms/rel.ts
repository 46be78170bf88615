/** `.rel` files, typed: the applications of a release and how each starts. */
import type { Term } from './etf.js';
import type { ApplicationStartType, RelFile } from './model.js';
import { at, atom, listItems, malformed, text, tupleItems } from './shape.js';

const START_TYPES: readonly string[] = ['permanent', 'transient', 'temporary', 'load', 'none'];

function startType(t: Term, where: string): ApplicationStartType {
  const s = atom(t, where);
  if (!START_TYPES.includes(s)) throw malformed('permanent, transient, temporary, load or none', where, t);
  return s as ApplicationStartType;
}

/** `{App, Vsn}`, `{App, Vsn, Type}`, `{App, Vsn, IncApps}` or `{App, Vsn, Type, IncApps}`. */
function appSpec(t: Term, where: string): RelFile['apps'][number] {
  const items = tupleItems(t, null, where);
  if (items.length < 2 || items.length > 4) throw malformed('{App, Vsn[, Type][, IncludedApps]}', where, t);
  const spec: RelFile['apps'][number] = { name: atom(at(items, 0), where), vsn: text(at(items, 1), `${where} version`) };
  for (const extra of items.slice(2)) {
    if (extra.kind === 'atom' && spec.type === undefined && spec.included === undefined) spec.type = startType(extra, where);
    else if (extra.kind === 'list' && spec.included === undefined) spec.included = extra.items.map((a) => atom(a, `${where} included applications`));
    else throw malformed('{App, Vsn[, Type][, IncludedApps]}', where, t);
  }
  return spec;
}

/** From a `consult` of a .rel file: exactly one release term. */
export function parseRelFile(consulted: Term, file = '.rel'): RelFile {
  const terms = listItems(consulted, file);
  if (terms.length !== 1) throw malformed('exactly one term', file, consulted);
  const [tag, nameVsn, erts, apps] = tupleItems(at(terms, 0), 4, file);
  if (atom(tag!, file) !== 'release') throw malformed('{release, {Name, Vsn}, {erts, Vsn}, Apps}', file, at(terms, 0));
  const [name, vsn] = tupleItems(nameVsn!, 2, `${file} {Name, Vsn}`);
  const [ertsTag, ertsVsn] = tupleItems(erts!, 2, `${file} {erts, Vsn}`);
  if (atom(ertsTag!, `${file} {erts, Vsn}`) !== 'erts') throw malformed('{erts, Vsn}', file, erts!);
  return {
    name: text(name!, `${file} name`),
    vsn: text(vsn!, `${file} version`),
    erts: text(ertsVsn!, `${file} erts version`),
    apps: listItems(apps!, `${file} applications`).map((a, i) => appSpec(a, `${file} application ${i + 1}`)),
  };
}
