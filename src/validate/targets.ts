/** Rules on what the relup names: every module and application it loads must exist in the target release. */
import type { ReleaseFacts, RelupPath } from '../terms/model.js';
import { modulesOf } from '../terms/relup.js';
import type { Finding } from './finding.js';

export function targetRules(up: RelupPath | undefined, newRel: ReleaseFacts): Finding[] {
  const findings: Finding[] = [];
  const modules = new Set(newRel.apps.flatMap((a) => a.modules.map((m) => m.module)));
  // Removing and purging a module the target lacks is how a deletion is written.
  const removed = new Set((up?.instructions ?? []).flatMap((i) => (i.op === 'remove' ? [i.module] : i.op === 'purge' ? i.modules : [])));
  const reported = new Set<string>();
  for (const i of up?.instructions ?? []) {
    if (i.op === 'load_object_code' && !newRel.apps.some((a) => a.name === i.app && a.vsn === i.vsn)) {
      findings.push({
        rule: 'relup/absent-application',
        severity: 'error',
        effect: 'restart',
        app: i.app,
        message: `the relup loads ${i.app} ${i.vsn}, which the target release ${newRel.vsn} does not contain`,
        remedy: 'The relup was made for another build; make it again from this one.',
      });
    }
    for (const m of modulesOf(i)) {
      if (modules.has(m) || removed.has(m) || reported.has(m)) continue;
      reported.add(m);
      findings.push({
        rule: 'relup/absent-module',
        severity: 'error',
        effect: 'restart',
        module: m,
        message: `the relup names module ${m}, which no application of the target release ${newRel.vsn} contains`,
        remedy: `Fix the appup that mentions ${m} (a typo, or a module that was removed) and make the relup again.`,
      });
    }
  }
  return findings;
}
