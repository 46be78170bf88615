/**
 * Rules on supervisors whose child specs (init/1) change. release_handler's
 * {update, M, supervisor} re-reads init/1: a new child's spec is added but the
 * child is not started, and a removed child's spec is kept, its process
 * running (OTP's supervisor:code_change/3). A plain load_module re-reads
 * nothing.
 */
import { processKind } from '../terms/behaviours.js';
import { printTerm } from '../terms/etf.js';
import type { ModuleFacts } from '../terms/model.js';
import type { AppChange } from './diff.js';
import { previous } from './diff.js';
import type { Finding } from './finding.js';
import type { PathView } from './path-view.js';
import { restarted } from './state.js';

type Children = Array<{ id: string; start: string }>;

const childrenOf = (m: ModuleFacts | undefined): Children | null => (m?.code?.status === 'ok' ? m.code.children : null);

/** The child ids named by `{apply, {supervisor, F, [Sup, Id]}}` instructions, F one of FUNS. */
function applied(v: PathView, funs: string[]): Set<string> {
  const ids = new Set<string>();
  for (const mfa of v.applied) {
    const m = /^supervisor:(\w+)\((.+), (.+)\)$/.exec(mfa);
    if (m && funs.includes(m[1]!)) ids.add(m[3]!);
  }
  return ids;
}

export function supervisorRules(changes: AppChange[], v: PathView | null): Finding[] {
  if (!v) return [];
  const findings: Finding[] = [];
  const started = applied(v, ['restart_child', 'start_child']);
  const stopped = applied(v, ['terminate_child']);
  for (const c of changes) {
    if (c.oldVsn === null || c.oldVsn === c.newVsn || restarted(c.name, v)) continue;
    for (const m of c.changed) {
      if (processKind(m) !== 'supervisor' || !v.loaded.has(m.module)) continue;
      const [before, after] = [childrenOf(previous(c, m.module)), childrenOf(m)];
      if (!before || !after) continue;
      const oldIds = new Set(before.map((k) => k.id));
      const newIds = new Set(after.map((k) => k.id));
      const added = after.filter((k) => !oldIds.has(k.id));
      const removed = before.filter((k) => !newIds.has(k.id));
      const reread = v.codeChanged.has(m.module);
      const sup = printTerm({ kind: 'atom', name: m.module });
      const update = `{update, ${sup}, supervisor}`;
      const notStarted = added.filter((k) => !reread || !started.has(k.id));
      if (notStarted.length > 0) {
        const ids = notStarted.map((k) => k.id).join(', ');
        findings.push({
          rule: 'supervisor/child-not-started',
          severity: 'error',
          effect: 'restart',
          app: c.name,
          module: m.module,
          message: reread
            ? `${c.name} ${c.oldVsn} → ${c.newVsn}: ${m.module}'s init/1 gains the child ${ids}; ${update} adds its spec but starts no child, and nothing in the relup starts it`
            : `${c.name} ${c.oldVsn} → ${c.newVsn}: ${m.module}'s init/1 gains the child ${ids}, but the relup only loads ${m.module}: the running supervisor never reads the new spec, so the child never starts`,
          remedy: `${reread ? '' : `Use ${update} in ${c.name}.appup, then `}add {apply, {supervisor, restart_child, [${sup}, ${notStarted[0]!.id}]}} after it${notStarted.length > 1 ? ' (one per new child)' : ''}; or restart.`,
        });
      }
      const notStopped = removed.filter((k) => !reread || !stopped.has(k.id));
      if (notStopped.length > 0) {
        const ids = notStopped.map((k) => k.id).join(', ');
        findings.push({
          rule: 'supervisor/child-not-stopped',
          severity: 'error',
          effect: 'restart',
          app: c.name,
          module: m.module,
          message: `${c.name} ${c.oldVsn} → ${c.newVsn}: ${m.module}'s init/1 drops the child ${ids}, but ${reread ? `${update} keeps a spec it no longer finds, and its process` : `the relup only loads ${m.module}, so the child`} keeps running with the old code`,
          remedy: `Add {apply, {supervisor, terminate_child, [${sup}, ${notStopped[0]!.id}]}} and {apply, {supervisor, delete_child, [${sup}, ${notStopped[0]!.id}]}} to ${c.name}.appup before ${update}; or restart.`,
        });
      }
    }
  }
  return findings;
}
