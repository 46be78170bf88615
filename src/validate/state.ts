/**
 * Rules on the state of changed process modules, from their abstract code:
 * the shapes of the state their callbacks return and match, before and after
 * (hotup_helper.escript code_facts/4). A process keeps its state across a hot
 * upgrade; only code_change/3 can migrate it.
 */
import { processKind } from '../terms/behaviours.js';
import type { CodeFacts, ModuleFacts } from '../terms/model.js';
import type { AppChange } from './diff.js';
import { hasCodeChanges, previous } from './diff.js';
import type { Finding } from './finding.js';
import type { PathView } from './path-view.js';

type Known = CodeFacts & { status: 'ok' };

export type StateVerdict = { kind: 'same' } | { kind: 'changed'; from: string[]; to: string[] } | { kind: 'unknown' };

/** A shape's kind: literal maps are maps whatever their keys. */
const kindOf = (shape: string) => (shape.startsWith('#{') ? 'map' : shape);

const equalSets = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Conservative: changed only when both sides have known shapes and they
 * differ in kind (a record's arity is part of its kind), or in the keys of
 * the maps both build literally.
 */
export function compareState(before: Known, after: Known): StateVerdict {
  if (before.state.length === 0 || after.state.length === 0) return { kind: 'unknown' };
  const kinds = (s: string[]) => [...new Set(s.map(kindOf))];
  const literalMaps = (s: string[]) => s.filter((x) => x.startsWith('#{'));
  const [mb, ma] = [literalMaps(before.state), literalMaps(after.state)];
  const differ = !equalSets(kinds(before.state), kinds(after.state)) || (mb.length > 0 && ma.length > 0 && !equalSets(mb, ma));
  return differ ? { kind: 'changed', from: before.state, to: after.state } : { kind: 'same' };
}

const known = (m: ModuleFacts | undefined): Known | null => (m?.code?.status === 'ok' ? m.code : null);

/** Whether the code facts of a changed process module, before and after, say what changed (so the behaviour-only warning is moot). */
export function judgedByCode(before: ModuleFacts | undefined, after: ModuleFacts): boolean {
  const [b, a] = [known(before), known(after)];
  if (!b || !a) return false;
  if (processKind(after) === 'supervisor') return b.children !== null && a.children !== null;
  return compareState(b, a).kind !== 'unknown';
}

const shapes = (s: string[]) => s.join(' | ');

function unavailable(c: AppChange, m: ModuleFacts, which: 'new' | 'running'): Finding {
  const code = which === 'new' ? m.code : previous(c, m.module)?.code;
  const why = code?.status === 'no-backend'
    ? `its debug_info could not be read (${code.backend}, which reads it, was not in the release)`
    : 'it has no debug_info (stripped)';
  return {
    rule: 'module/code-facts-unavailable',
    severity: 'info',
    effect: 'none',
    app: c.name,
    module: m.module,
    message: `${m.module} changed, but in the ${which} release ${why}, so whether its state or child specs changed was not checked`,
    remedy: 'Keep debug_info in the release (relx: {debug_info, keep} in place of {mode, prod}, which strips it; mix release: strip_beams: [keep: ["Dbgi"]]) for hotup to check them.',
  };
}

/** The note for a module whose code facts one side could not read; nothing for facts that were never read. */
function notChecked(c: AppChange, m: ModuleFacts): Finding[] {
  const unreadable = (x: ModuleFacts | undefined) => x?.code?.status === 'no-debug-info' || x?.code?.status === 'no-backend';
  if (unreadable(m)) return [unavailable(c, m, 'new')];
  if (unreadable(previous(c, m.module))) return [unavailable(c, m, 'running')];
  return [];
}

function stateRules(c: AppChange, m: ModuleFacts, v: PathView): Finding[] {
  const before = previous(c, m.module);
  const [b, a] = [known(before), known(m)];
  if (!b || !a) return notChecked(c, m);
  const verdict = compareState(b, a);
  if (verdict.kind !== 'changed') return [];
  const change = `its state changes shape (${shapes(verdict.from)} → ${shapes(verdict.to)})`;
  if (!v.codeChanged.has(m.module)) {
    return [{
      rule: 'module/state-changed-load-only',
      severity: 'error',
      effect: 'restart',
      app: c.name,
      module: m.module,
      message: `${c.name} ${c.oldVsn} → ${c.newVsn}: ${change}, but the relup only loads ${m.module}: code_change never runs, so its live processes keep the old state and the new code crashes on it`,
      remedy: `Use {update, ${m.module}, {advanced, Extra}} in ${c.name}.appup with a code_change/3 that turns the old state into the new; or restart (the state starts afresh from init/1).`,
    }];
  }
  if (a.codeChange === 'identity' || a.codeChange === 'injected') {
    const which = a.codeChange === 'injected' ? 'the default one `use GenServer` injects, which returns the state unchanged' : 'one that returns the state unchanged';
    return [{
      rule: 'module/code-change-keeps-state',
      severity: 'error',
      effect: 'restart',
      app: c.name,
      module: m.module,
      message: `${c.name} ${c.oldVsn} → ${c.newVsn}: ${change}, and the relup calls ${m.module}'s code_change, but it is ${which}: the processes keep the old state and the new code crashes on it`,
      remedy: `Write code_change/3 in ${m.module} to turn the old state into the new; or restart (the state starts afresh from init/1).`,
    }];
  }
  return [];
}

/** An application the up-path stops and starts again (restart_application): its processes start afresh. */
export function restarted(app: string, v: PathView): boolean {
  return v.applied.includes(`application:stop(${app})`);
}

/** Changed gen_server, gen_statem and gen_event modules (Erlang's and Elixir's) that the relup loads; for supervisors, only the note when their code could not be read. */
export function stateChangeRules(changes: AppChange[], v: PathView | null): Finding[] {
  if (!v) return [];
  const findings: Finding[] = [];
  for (const c of changes.filter(hasCodeChanges)) {
    if (c.oldVsn === null || c.oldVsn === c.newVsn || restarted(c.name, v)) continue;
    for (const m of c.changed) {
      if (!v.loaded.has(m.module)) continue;
      const kind = processKind(m);
      if (kind === 'stateful') findings.push(...stateRules(c, m, v));
      else if (kind === 'supervisor') findings.push(...notChecked(c, m));
    }
  }
  return findings;
}
