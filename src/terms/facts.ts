/** The `facts` helper's answer, typed. */
import { atomOf, type Term } from './etf.js';
import type { AppFacts, ModuleFacts, ReleaseFacts } from './model.js';
import { parseAppup } from './appup.js';
import { field, flag } from './map.js';
import { atom, listItems, text, tupleItems } from './shape.js';

function moduleFacts(t: Term, where: string): ModuleFacts {
  return {
    module: atom(field(t, 'module', where), where),
    md5: text(field(t, 'md5', where), where),
    behaviours: listItems(field(t, 'behaviours', where), where).map((b) => atom(b, where)),
    codeChange: flag(t, 'code_change', where),
    loadsNif: flag(t, 'loads_nif', where),
  };
}

function appFacts(t: Term): AppFacts {
  const name = atom(field(t, 'name', 'app'), 'app');
  const where = `application ${name}`;
  const appupTerm = field(t, 'appup', where);
  let appup: AppFacts['appup'];
  if (appupTerm.kind === 'tuple') {
    try {
      appup = parseAppup(tupleItems(appupTerm, 2, where)[1]!, `${name}.appup`);
    } catch {
      appup = 'malformed';
    }
  } else {
    appup = atomOf(appupTerm) === 'none' ? 'none' : 'malformed';
  }
  return {
    name,
    vsn: text(field(t, 'vsn', where), where),
    present: flag(t, 'present', where),
    appModules: listItems(field(t, 'app_modules', where), where).map((m) => atom(m, where)),
    appup,
    modules: listItems(field(t, 'modules', where), where).map((m) => moduleFacts(m, where)),
  };
}

export function parseReleaseFacts(t: Term): ReleaseFacts {
  return {
    name: text(field(t, 'name', 'release'), 'release name'),
    vsn: text(field(t, 'vsn', 'release'), 'release vsn'),
    erts: text(field(t, 'erts', 'release'), 'release erts'),
    apps: listItems(field(t, 'apps', 'release'), 'release apps').map(appFacts),
  };
}
