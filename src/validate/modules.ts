/**
 * Rules on changed code: is every change loaded by the relup, and loaded in a
 * way that keeps running processes right?
 */
import type { RelupPath } from '../terms/model.js';
import type { AppChange } from './diff.js';
import { hasCodeChanges } from './diff.js';
import type { Finding } from './finding.js';

/** Behaviours whose processes hold state across an upgrade. */
const PROCESS_BEHAVIOURS = ['gen_server', 'gen_statem', 'gen_event', 'gen_fsm', 'supervisor', 'supervisor_bridge'];

interface PathView {
  loaded: Set<string>;
  removed: Set<string>;
  suspended: Set<string>;
  codeChanged: Set<string>;
}

function view(up: RelupPath | undefined): PathView {
  const v: PathView = { loaded: new Set(), removed: new Set(), suspended: new Set(), codeChanged: new Set() };
  for (const i of up?.instructions ?? []) {
    if (i.op === 'load_object_code') i.modules.forEach((m) => v.loaded.add(m));
    if (i.op === 'remove' || i.op === 'purge') (i.op === 'remove' ? [i.module] : i.modules).forEach((m) => v.removed.add(m));
    if (i.op === 'suspend') i.modules.forEach((m) => v.suspended.add(m.module));
    if (i.op === 'code_change') i.changes.forEach((c) => v.codeChanged.add(c.module));
  }
  return v;
}

export function moduleRules(changes: AppChange[], up: RelupPath | undefined, onLoad: string[]): Finding[] {
  const findings: Finding[] = [];
  const v = view(up);
  for (const c of changes) {
    if (!hasCodeChanges(c) || c.oldVsn === null || c.newVsn === null) continue;
    if (c.oldVsn === c.newVsn) {
      const mods = [...c.changed, ...c.added, ...c.deleted].map((m) => m.module);
      findings.push({
        rule: 'app/version-not-bumped',
        severity: 'error',
        effect: 'block',
        app: c.name,
        message: `${c.name} ${c.newVsn}: modules changed (${mods.join(', ')}) but the application version did not, so no relup loads them and lib/${c.name}-${c.newVsn} would hold two different codes`,
        remedy: `Bump vsn in ${c.name}.app.src (and write its appup), then build again.`,
      });
      continue;
    }
    // Without an up-path there is nothing to check the changes against; relup rules say why.
    if (!up) continue;
    for (const m of [...c.changed, ...c.added]) {
      if (!v.loaded.has(m.module)) {
        findings.push({
          rule: 'module/not-loaded',
          severity: 'error',
          effect: 'restart',
          app: c.name,
          module: m.module,
          message: `${c.name} ${c.oldVsn} → ${c.newVsn}: ${c.added.includes(m) ? 'new' : 'changed'} module ${m.module} is not loaded by any relup instruction, so the old code would keep running`,
          remedy: `Add {${c.added.includes(m) ? 'add_module' : 'load_module'}, ${m.module}} (or an update) to ${c.name}.appup.`,
        });
      }
    }
    for (const m of c.deleted) {
      if (!v.removed.has(m.module)) {
        findings.push({
          rule: 'module/not-removed',
          severity: 'warning',
          effect: 'none',
          app: c.name,
          module: m.module,
          message: `${c.name}: module ${m.module} is gone from ${c.newVsn} but the relup does not remove it, so its old code stays loaded`,
          remedy: `Add {delete_module, ${m.module}} to ${c.name}.appup.`,
        });
      }
    }
    for (const m of c.changed) {
      const behaviours = m.behaviours.filter((b) => PROCESS_BEHAVIOURS.includes(b));
      if (behaviours.length > 0 && v.loaded.has(m.module) && !v.codeChanged.has(m.module) && !v.suspended.has(m.module)) {
        findings.push({
          rule: 'module/process-load-only',
          severity: 'warning',
          effect: 'none',
          app: c.name,
          module: m.module,
          message: `${m.module} (${behaviours.join(', ')}) changed but is only loaded: its processes are not suspended and code_change never runs, so a changed state shape would crash them`,
          remedy: `If its state changed, use {update, ${m.module}, {advanced, Extra}} in ${c.name}.appup (supervisors: {update, ${m.module}, supervisor}).`,
        });
      }
      if (v.codeChanged.has(m.module) && !m.codeChange && !m.behaviours.includes('supervisor')) {
        findings.push({
          rule: 'module/missing-code-change',
          severity: 'error',
          effect: 'restart',
          app: c.name,
          module: m.module,
          message: `the relup calls code_change for ${m.module}, but ${m.module} exports no code_change/3: the upgrade would crash its processes`,
          remedy: `Export code_change/3 from ${m.module}, or load it without {advanced, …} in the appup.`,
        });
      }
    }
    for (const m of [...c.changed, ...c.added]) {
      if ((m.loadsNif || onLoad.includes(m.module)) && v.loaded.has(m.module)) {
        findings.push({
          rule: 'module/on-load-hot',
          severity: 'warning',
          effect: 'none',
          app: c.name,
          module: m.module,
          message: `${m.module} ${onLoad.includes(m.module) ? 'has an -on_load function' : 'loads a NIF'} and is loaded hot: the on_load runs again in the live node${m.loadsNif ? ' and the NIF library must support upgrade (its upgrade callback)' : ''}; if it fails, the module is not loaded`,
          remedy: 'Check that the NIF implements upgrade/4 and that on_load is safe to run twice, or restart instead (hotup apply --restart).',
        });
      }
    }
  }
  return findings;
}
