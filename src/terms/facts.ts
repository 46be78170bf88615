/** The `facts` helper's answer, typed with the same parsers as the files they come from. */
import { HotupError, isHotupError } from '../errors.js';
import { atomOf, printTerm, textOf, type Term } from './etf.js';
import type { AppFacts, AppupFile, CodeChangeKind, CodeFacts, ElixirFacts, ModuleFacts, ReleaseFacts, Relup } from './model.js';
import { parseAppup } from './appup.js';
import { field, flag } from './map.js';
import { parseRelFile } from './rel.js';
import { parseRelup } from './relup.js';
import { atom, listItems, malformed, text, tupleItems } from './shape.js';

/** A file as the helper read it: `{ok, Terms}`, `none`, or `{error, Detail}`. */
type FileRead = { status: 'ok'; terms: Term } | { status: 'none' } | { status: 'error'; detail: string };

function fileRead(t: Term, where: string): FileRead {
  if (atomOf(t) === 'none') return { status: 'none' };
  const [tag, value] = tupleItems(t, 2, where);
  const status = atom(tag!, where);
  if (status === 'ok') return { status: 'ok', terms: value! };
  if (status === 'error') return { status: 'error', detail: textOf(value!) ?? printTerm(value!) };
  throw malformed('{ok, Terms}, none or {error, Detail}', where, t);
}

function onLoad(t: Term, where: string): boolean | null {
  const a = atomOf(t);
  if (a === 'unknown') return null;
  if (a === 'true' || a === 'false') return a === 'true';
  throw malformed('true, false or unknown', where, t);
}

/** A module's facts come as a tuple, far smaller than a map when a release has thousands. */
function moduleFacts(t: Term, where: string): ModuleFacts {
  const [module, md5, behaviours, codeChange, loadsNif, onLoadFlag, calls, configChange, code] = tupleItems(t, 9, `${where} module`);
  const w = `${where} module ${printTerm(module!)}`;
  return {
    module: atom(module!, w),
    md5: text(md5!, w),
    behaviours: listItems(behaviours!, w).map((b) => atom(b, w)),
    codeChange: bool(codeChange!, `${w} code_change`),
    loadsNif: bool(loadsNif!, `${w} loads_nif`),
    onLoad: onLoad(onLoadFlag!, `${w} on_load`),
    calls: listItems(calls!, `${w} calls`).map((m) => atom(m, `${w} calls`)),
    configChange: bool(configChange!, `${w} config_change`),
    code: codeFacts(code!, `${w} code`),
  };
}

const CODE_CHANGE: readonly CodeChangeKind[] = ['none', 'identity', 'injected', 'custom'];

function codeFacts(t: Term, where: string): CodeFacts {
  const a = atomOf(t);
  if (a === 'none') return { status: 'none' };
  if (a === 'no_debug_info') return { status: 'no-debug-info' };
  if (t.kind === 'tuple') {
    const [tag, backend] = tupleItems(t, 2, where);
    if (atom(tag!, where) !== 'no_backend') throw malformed('{no_backend, Backend}', where, t);
    return { status: 'no-backend', backend: atom(backend!, where) };
  }
  const children = field(t, 'children', where);
  const codeChange = CODE_CHANGE.find((k) => k === atom(field(t, 'code_change', where), where));
  if (!codeChange) throw malformed(CODE_CHANGE.join(', '), `${where} code_change`, t);
  return {
    status: 'ok',
    state: listItems(field(t, 'state', where), where).map((s) => text(s, `${where} state`)),
    children: atomOf(children) === 'unknown' ? null : listItems(children, where).map((c) => {
      const [id, start] = tupleItems(c, 2, `${where} children`);
      return { id: text(id!, where), start: text(start!, where) };
    }),
    codeChange,
    loadNif: listItems(field(t, 'load_nif', where), where).map((s) => text(s, `${where} load_nif`)),
  };
}

function bool(t: Term, where: string): boolean {
  const v = atomOf(t);
  if (v !== 'true' && v !== 'false') throw malformed('true or false', where, t);
  return v === 'true';
}

function appupFile(t: Term, file: string): AppupFile {
  const read = fileRead(t, file);
  if (read.status === 'none') return { status: 'none' };
  if (read.status === 'error') return { status: 'malformed', detail: read.detail };
  try {
    return { status: 'ok', appup: parseAppup(read.terms, file) };
  } catch (e) {
    if (!isHotupError(e)) throw e;
    return { status: 'malformed', detail: e.message };
  }
}

function appFacts(t: Term): AppFacts {
  const name = atom(field(t, 'name', 'application'), 'application');
  const where = `application ${name}`;
  return {
    name,
    vsn: text(field(t, 'vsn', where), where),
    present: flag(t, 'present', where),
    appModules: listItems(field(t, 'app_modules', where), where).map((m) => atom(m, where)),
    appup: appupFile(field(t, 'appup', where), `${name}.appup`),
    modules: listItems(field(t, 'modules', where), where).map((m) => moduleFacts(m, where)),
    env: listItems(field(t, 'env', where), `${where} env`).map((e) => {
      const [key, digest] = tupleItems(e, 2, `${where} env`);
      return { key: printTerm(key!), digest: text(digest!, `${where} env`) };
    }),
    mod: atom(field(t, 'mod', where), where) === 'none' ? null : atom(field(t, 'mod', where), where),
    nifs: listItems(field(t, 'nifs', where), `${where} nifs`).map((n) => {
      const [file, digest] = tupleItems(n, 2, `${where} nifs`);
      return { path: text(file!, `${where} nifs`), digest: text(digest!, `${where} nifs`) };
    }),
  };
}

function relupOf(t: Term, release: string): Relup | null {
  const file = `releases/${release}/relup`;
  const read = fileRead(t, file);
  if (read.status === 'none') return null;
  if (read.status === 'error') {
    throw new HotupError('ARTIFACT_INVALID', `${file} is not a valid Erlang term file: ${read.detail}`,
      'The relup is truncated or corrupt; make it again (rebar3 relup, or systools:make_relup).');
  }
  return parseRelup(read.terms, file);
}

function elixirFacts(t: Term): ElixirFacts {
  const where = 'release facts elixir';
  const p = field(t, 'protocols', where);
  return {
    protocols: atomOf(p) === 'none' ? null : listItems(p, where).map((x) => {
      const [protocol, md5, atoms] = tupleItems(x, 3, `${where} protocol`);
      const w = `${where} protocol ${printTerm(protocol!)}`;
      return { protocol: atom(protocol!, w), md5: text(md5!, w), atoms: listItems(atoms!, w).map((a) => atom(a, w)) };
    }),
    runtimeConfig: flag(t, 'runtime_config', where),
  };
}

export function parseReleaseFacts(t: Term): ReleaseFacts {
  const rel = parseRelFile(field(t, 'rel', 'release facts'));
  const apps = listItems(field(t, 'apps', 'release facts'), 'release facts apps').map(appFacts);
  return {
    name: rel.name, vsn: rel.vsn, erts: rel.erts, apps, relup: relupOf(field(t, 'relup', 'release facts'), rel.vsn),
    elixir: elixirFacts(field(t, 'elixir', 'release facts')),
  };
}

/** The `upgrade-facts` answer: the new release's facts and, by version, each old release's, or why they could not be had. */
export interface UpgradeFacts {
  facts: ReleaseFacts;
  old: Map<string, ReleaseFacts | HotupError>;
}

/** FAILURE makes the error for an old release the helper could not read, from the Class and Detail it gives. */
export function parseUpgradeFacts(t: Term, failure: (cls: string, detail: string) => HotupError): UpgradeFacts {
  const where = 'upgrade facts';
  const old = new Map<string, ReleaseFacts | HotupError>();
  for (const entry of listItems(field(t, 'old', where), `${where} old`)) {
    const [vsnTerm, read] = tupleItems(entry, 2, `${where} old`);
    const vsn = text(vsnTerm!, `${where} old`);
    const w = `${where} old ${vsn}`;
    const items = tupleItems(read!, null, w);
    const tag = atom(items[0]!, w);
    if (tag === 'ok' && items.length === 2) old.set(vsn, oldFacts(items[1]!));
    else if (tag === 'error' && items.length === 3) old.set(vsn, failure(atom(items[1]!, w), textOf(items[2]!) ?? printTerm(items[2]!)));
    else throw malformed('{ok, Facts} or {error, Class, Detail}', w, read!);
  }
  return { facts: parseReleaseFacts(field(t, 'new', where)), old };
}

function oldFacts(t: Term): ReleaseFacts | HotupError {
  try {
    return parseReleaseFacts(t);
  } catch (e) {
    if (!isHotupError(e)) throw e;
    return e;
  }
}
