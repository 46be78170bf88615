/**
 * A release rebuilt with other code but the version the hosts already run.
 * release_handler knows releases by version: nothing would load the new
 * bytes, and a plan that compared versions only would say "nothing to do".
 */
import type { ReleaseFacts } from '../terms/model.js';
import { diffReleases, hasCodeChanges } from './diff.js';
import type { Finding } from './finding.js';

export function sameVersionRules(running: ReleaseFacts, rebuilt: ReleaseFacts): Finding[] {
  const changes = diffReleases(running, rebuilt).filter((c) => hasCodeChanges(c) || c.oldVsn !== c.newVsn);
  if (changes.length === 0) return [];
  const what = changes.map((c) => {
    if (c.oldVsn !== c.newVsn) return `${c.name} ${c.oldVsn ?? '(none)'} → ${c.newVsn ?? '(none)'}`;
    const mods = [...c.changed, ...c.added, ...c.deleted].map((m) => m.module);
    return `${c.name} (${mods.slice(0, 5).join(', ')}${mods.length > 5 ? `, ${mods.length - 5} more` : ''})`;
  });
  return [{
    rule: 'release/same-version-new-bytes',
    severity: 'error',
    effect: 'block',
    message: `release ${rebuilt.vsn} was built again with other code than the hosts run under that version: ${what.join('; ')}. release_handler knows releases by version, so nothing would load it`,
    remedy: 'Bump the release version (and the version of every changed application, with its appup), then plan again.',
  }];
}
