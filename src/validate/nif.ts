/**
 * A NIF library that changes. A live node replaces a loaded NIF library only
 * when its module is loaded again and the new library implements the
 * `upgrade` callback; hotup cannot see that callback in a compiled library,
 * so a changed library means a restart, which loads it fresh.
 */
import type { AppChange } from './diff.js';
import { previous } from './diff.js';
import type { Finding } from './finding.js';

export function nifRules(changes: AppChange[]): Finding[] {
  const findings: Finding[] = [];
  for (const c of changes) {
    if (!c.app || !c.oldApp) continue;
    const before = new Map((c.oldApp.nifs ?? []).map((n) => [n.path, n.digest]));
    const libs = (c.app.nifs ?? []).filter((n) => before.has(n.path) && before.get(n.path) !== n.digest).map((n) => n.path);
    const calls = c.changed.filter((m) => {
      const [b, a] = [previous(c, m.module)?.code, m.code];
      return b?.status === 'ok' && a?.status === 'ok' && b.loadNif.join('\n') !== a.loadNif.join('\n');
    }).map((m) => m.module);
    if (libs.length === 0 && calls.length === 0) continue;
    const loaders = c.app.modules.filter((m) => m.loadsNif).map((m) => m.module);
    const what = [
      ...(libs.length ? [`the NIF librar${libs.length > 1 ? 'ies' : 'y'} ${libs.join(', ')} changed`] : []),
      ...(calls.length ? [`the erlang:load_nif call of ${calls.join(', ')} changed`] : []),
    ].join(' and ');
    findings.push({
      rule: 'nif/library-changed',
      severity: 'error',
      effect: 'restart',
      app: c.name,
      ...(loaders.length === 1 ? { module: loaders[0] } : {}),
      message: `${c.name} ${c.oldVsn} → ${c.newVsn}: ${what}; a live node keeps the loaded library unless ${loaders.join(', ') || 'its module'} is loaded again and the new library implements the upgrade callback, which hotup cannot check`,
      remedy: `Restart into the new release (hotup apply --restart); a hot upgrade needs {load_module, ${loaders[0] ?? 'M'}} in ${c.name}.appup and an upgrade callback in the library's ERL_NIF_INIT.`,
    });
  }
  return findings;
}
