/**
 * Rules on changed code: is every change loaded by the relup, and loaded in a
 * way that keeps running processes right?
 */
import { processBehaviours, processKind } from '../terms/behaviours.js';
import type { ModuleFacts, RelupPath } from '../terms/model.js';
import { view, type PathView } from './path-view.js';
import type { AppChange } from './diff.js';
import { hasCodeChanges, previous } from './diff.js';
import { judgedByCode } from './state.js';
import type { Finding } from './finding.js';

function notBumped(c: AppChange): Finding {
  const mods = [...c.changed, ...c.added, ...c.deleted].map((m) => m.module);
  return {
    rule: 'app/version-not-bumped',
    severity: 'error',
    effect: 'block',
    app: c.name,
    message: `${c.name} ${c.newVsn}: modules changed (${mods.join(', ')}) but the application version did not, so no relup loads them and two different codes would share lib/${c.name}-${c.newVsn}`,
    remedy: `Bump vsn in ${c.name}.app.src (and write its appup), then build again.`,
  };
}

function loadRules(c: AppChange, m: ModuleFacts, v: PathView): Finding[] {
  const findings: Finding[] = [];
  const isNew = c.added.includes(m);
  const where = c.oldVsn === null ? `new application ${c.name} ${c.newVsn}` : `${c.name} ${c.oldVsn} → ${c.newVsn}`;
  if (!v.loaded.has(m.module)) {
    findings.push({
      rule: 'module/not-loaded',
      severity: 'error',
      effect: 'restart',
      app: c.name,
      module: m.module,
      message: `${where}: ${isNew ? 'new' : 'changed'} module ${m.module} is not loaded by any relup instruction, so ${isNew ? 'calls to it would fail' : 'the old code would keep running'}`,
      remedy: c.oldVsn === null
        ? `Make the relup with systools from releases that both name ${c.name} correctly, so it adds the application.`
        : `Add {${isNew ? 'add_module' : 'load_module'}, ${m.module}} (or an update) to ${c.name}.appup.`,
    });
    return findings;
  }
  if (m.onLoad === true || m.loadsNif) {
    findings.push({
      rule: 'module/on-load-hot',
      severity: 'warning',
      effect: 'none',
      app: c.name,
      module: m.module,
      message: `${m.module} ${m.onLoad === true ? 'has an -on_load function' : 'loads a NIF'} and is loaded into the live node: on_load runs again there${m.loadsNif ? ' and the NIF library must support being upgraded (its upgrade callback)' : ''}; if it fails, the module is not loaded`,
      remedy: 'Check that on_load is safe to run twice and that the NIF implements upgrade, or restart instead (hotup apply --restart).',
    });
  }
  if (isNew) return findings;
  const behaviours = processBehaviours(m);
  const supervisor = processKind(m) === 'supervisor';
  // Where the code facts tell what changed, the state and supervisor rules judge instead.
  if (behaviours.length > 0 && !v.codeChanged.has(m.module) && !judgedByCode(previous(c, m.module), m)) {
    findings.push({
      rule: 'module/process-load-only',
      severity: 'warning',
      effect: 'none',
      app: c.name,
      module: m.module,
      message: `${m.module} (${behaviours.join(', ')}) changed but its processes ${v.suspended.has(m.module) ? 'get a soft update' : 'are not even suspended'}: code_change never runs, so a changed state shape would crash them`,
      remedy: supervisor
        ? `Use {update, ${m.module}, supervisor} in ${c.name}.appup so the child specs are re-read.`
        : `If its state changed, use {update, ${m.module}, {advanced, Extra}} in ${c.name}.appup, with code_change/3.`,
    });
  }
  if (v.codeChanged.has(m.module) && !m.codeChange && !supervisor) {
    findings.push({
      rule: 'module/missing-code-change',
      severity: 'error',
      effect: 'restart',
      app: c.name,
      module: m.module,
      message: `the relup calls code_change for ${m.module}, but ${m.module} exports no code_change/3: its processes would crash in the upgrade`,
      remedy: `Export code_change/3 from ${m.module}, or load it without {advanced, …} in ${c.name}.appup.`,
    });
  }
  return findings;
}

function removeRule(c: AppChange, m: ModuleFacts): Finding {
  return {
    rule: 'module/not-removed',
    severity: 'warning',
    effect: 'none',
    app: c.name,
    module: m.module,
    message: c.newVsn === null
      ? `${c.name} is dropped from the target release but the relup does not remove its module ${m.module}, so its code stays loaded`
      : `${c.name}: module ${m.module} is gone from ${c.newVsn} but the relup does not remove it, so its old code stays loaded`,
    remedy: c.newVsn === null ? `Let systools write the relup (it removes the modules of a dropped application).` : `Add {delete_module, ${m.module}} to ${c.name}.appup.`,
  };
}

export function moduleRules(changes: AppChange[], up: RelupPath | undefined): Finding[] {
  const findings: Finding[] = [];
  const v = up ? view(up) : null;
  for (const c of changes.filter(hasCodeChanges)) {
    if (c.oldVsn !== null && c.oldVsn === c.newVsn) {
      findings.push(notBumped(c));
      continue;
    }
    // Without an up-path there is nothing to check the changes against; the relup rules say why.
    if (!v) continue;
    for (const m of [...c.changed, ...c.added]) findings.push(...loadRules(c, m, v));
    for (const m of c.deleted) if (!v.removed.has(m.module)) findings.push(removeRule(c, m));
  }
  return findings;
}
