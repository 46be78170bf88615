/**
 * An appup that restarts an application: release_handler stops it, swaps its
 * code and starts it again, all inside the hot upgrade. The node stays up
 * and every other application keeps its state, but this one's processes
 * start afresh and serve nothing meanwhile: a hot upgrade with an
 * interruption, reported as such. A restart of the node would interrupt
 * every application, so it is not the better way, and the decision stays.
 */
import { appupMatches } from '../terms/appup.js';
import type { AppChange } from './diff.js';
import type { Finding } from './finding.js';

export function restartApplicationRules(changes: AppChange[]): Finding[] {
  const findings: Finding[] = [];
  for (const c of changes) {
    if (c.oldVsn === null || c.oldVsn === c.newVsn || c.app?.appup.status !== 'ok') continue;
    let entry;
    try {
      entry = c.app.appup.appup.up.find((e) => appupMatches(e.from, c.oldVsn!));
    } catch {
      continue; // an unusable version key is the appup rules' finding
    }
    for (const i of entry?.instructions ?? []) {
      if (i.op !== 'restart_application') continue;
      findings.push({
        rule: 'appup/restart-application',
        severity: 'warning',
        effect: 'none',
        app: i.app,
        message: `${c.name}.appup restarts application ${i.app} (${c.oldVsn} → ${c.newVsn}): the upgrade is hot for the node, but ${i.app} is stopped and started again, so its processes lose their state and it serves nothing until it is back`,
        remedy: `If ${i.app}'s state matters, replace {restart_application, ${i.app}} with update/load_module instructions (and code_change/3 where the state changes); else expect the interruption.`,
      });
    }
  }
  return findings;
}
