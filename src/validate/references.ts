/**
 * A module the target release no longer has, while code of the target
 * release still calls it (its imports) or a supervisor still starts it (its
 * child specs): the call fails with `undef` whether the node is upgraded hot
 * or restarted, so it blocks. Callers are the modules of the applications
 * the upgrade changes; the others were built against their own dependencies.
 */
import type { ReleaseFacts } from '../terms/model.js';
import type { AppChange } from './diff.js';
import { hasCodeChanges } from './diff.js';
import type { Finding } from './finding.js';

export function referenceRules(oldRel: ReleaseFacts, newRel: ReleaseFacts, changes: AppChange[]): Finding[] {
  const present = new Set(newRel.apps.flatMap((a) => a.modules.map((m) => m.module)));
  const gone = new Set(oldRel.apps.flatMap((a) => a.modules.map((m) => m.module)).filter((m) => !present.has(m)));
  if (gone.size === 0) return [];
  const findings: Finding[] = [];
  for (const c of changes) {
    if (!c.app || !(hasCodeChanges(c) || c.oldVsn !== c.newVsn)) continue;
    for (const m of c.app.modules) {
      const started = m.code?.status === 'ok' ? (m.code.children ?? []).map((k) => k.start.split(':')[0]!) : [];
      const missing = [...new Set([...(m.calls ?? []), ...started])].filter((r) => gone.has(r)).sort();
      for (const r of missing) {
        findings.push({
          rule: 'module/removed-still-called',
          severity: 'error',
          effect: 'block',
          app: c.name,
          module: m.module,
          message: `${m.module} (${c.name} ${c.newVsn}) ${started.includes(r) ? 'starts' : 'calls'} ${r}, which the target release ${newRel.vsn} no longer has: that ${started.includes(r) ? 'child' : 'call'} fails with undef, hot or after a restart`,
          remedy: `Remove the ${started.includes(r) ? 'child spec' : 'calls'} to ${r} from ${m.module}, or keep ${r} in the release; then build again.`,
        });
      }
    }
  }
  return findings;
}
