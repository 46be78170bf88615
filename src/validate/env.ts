/**
 * An application whose env changes (its .app defaults or the release's
 * sys.config). install_release sets the new env and then calls the
 * application callback module's config_change/3, if it exports one; values
 * its processes read at start keep their old value until told or restarted.
 */
import type { AppChange } from './diff.js';
import type { Finding } from './finding.js';

export function envRules(changes: AppChange[]): Finding[] {
  const findings: Finding[] = [];
  for (const c of changes) {
    if (!c.app?.env || !c.oldApp?.env || !c.app.mod) continue;
    const before = new Map(c.oldApp.env.map((e) => [e.key, e.digest]));
    const after = new Map(c.app.env.map((e) => [e.key, e.digest]));
    const keys = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k)).sort();
    if (keys.length === 0) continue;
    const mod = c.app.modules.find((m) => m.module === c.app!.mod);
    if (!mod || mod.configChange !== false) continue;
    findings.push({
      rule: 'app/env-no-config-change',
      severity: 'warning',
      effect: 'none',
      app: c.name,
      module: mod.module,
      message: `${c.name}'s env changes (${keys.join(', ')}) but ${mod.module} exports no config_change/3: the node gets the new values, yet processes that read them at start keep the old ones until restarted`,
      remedy: `Export config_change(Changed, New, Removed) from ${mod.module} and apply the new values there; or restart (hotup apply --restart).`,
    });
  }
  return findings;
}
