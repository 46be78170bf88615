/** Rules on the appups: each upgraded application needs one whose entries match the versions involved. */
import { appupMatches } from '../terms/appup.js';
import type { AppChange } from './diff.js';
import type { Finding } from './finding.js';

export function appupRules(changes: AppChange[]): Finding[] {
  const findings: Finding[] = [];
  for (const c of changes) {
    if (!c.app || c.oldVsn === null || c.newVsn === null || c.oldVsn === c.newVsn) continue;
    const file = `${c.name}.appup`;
    if (c.app.appup.status !== 'ok') {
      findings.push({
        rule: c.app.appup.status === 'none' ? 'appup/missing' : 'appup/malformed',
        severity: 'error',
        effect: 'restart',
        app: c.name,
        message: c.app.appup.status === 'none'
          ? `${c.name} goes from ${c.oldVsn} to ${c.newVsn} but has no ${file}: systools cannot make a relup for it`
          : `${file} of ${c.name} ${c.newVsn} is not a valid appup ({Vsn, [{UpFrom, Instrs}], [{DownTo, Instrs}]})`,
        remedy: `Write ebin/${file} with an up and a down entry for ${c.oldVsn}.`,
      });
      continue;
    }
    const appup = c.app.appup.appup;
    if (appup.vsn !== c.newVsn) {
      findings.push({
        rule: 'appup/version-mismatch',
        severity: 'error',
        effect: 'restart',
        app: c.name,
        message: `${file} is for version ${appup.vsn}, but the application is ${c.newVsn}`,
        remedy: `Make the first element of ${file} "${c.newVsn}".`,
      });
    }
    if (!appup.up.some((e) => appupMatches(e.from, c.oldVsn!))) {
      findings.push({
        rule: 'appup/no-up-entry',
        severity: 'error',
        effect: 'restart',
        app: c.name,
        message: `${file} has no up entry matching the running ${c.name} ${c.oldVsn} (it has: ${appup.up.map((e) => (e.from.kind === 'exact' ? e.from.vsn : `<<"${e.from.pattern}">>`)).join(', ') || 'none'})`,
        remedy: `Add {"${c.oldVsn}", [...]} to the up list of ${file}.`,
      });
    }
    if (!appup.down.some((e) => appupMatches(e.from, c.oldVsn!))) {
      findings.push({
        rule: 'appup/no-down-entry',
        severity: 'warning',
        effect: 'none',
        app: c.name,
        message: `${file} has no down entry for ${c.name} ${c.oldVsn}, so going back to it will need a restart`,
        remedy: `Add {"${c.oldVsn}", [...]} to the down list of ${file}.`,
      });
    }
  }
  return findings;
}
