/** Text for a plan: per host, running → target, the decision and why, the instructions. */
import { APPUP_SOURCE, type UpgradePlan } from '../plan/types.js';
import type { Style } from './style.js';
import { renderFindings } from './findings.js';

export function renderPlan(plan: UpgradePlan, s: Style): string {
  const out: string[] = [`${s.bold(`Plan for ${plan.app} in ${plan.environment}`)} (target ${s.cyan(plan.target.vsn)})`];
  for (const a of plan.target.appups ?? []) {
    out.push(`  ${s.bold(`${a.app}.appup`)}: ${APPUP_SOURCE[a.source]}`);
    // The appup hotup made is shown whole: it is what the relup was made from.
    if (a.source === 'generated' && a.text) out.push(...a.text.trimEnd().split('\n').map((l) => `    ${s.dim(l)}`));
  }
  for (const h of plan.hosts) {
    const colour = h.action === 'hot' ? s.green : h.action === 'noop' ? s.dim : h.action === 'restart' ? s.yellow : s.red;
    out.push(`  ${s.bold(h.host)}  ${h.from ?? '?'} → ${h.to}  ${colour(h.action.toUpperCase())}`);
    for (const w of h.warnings) out.push(`    ${s.yellow('! ')}${w}`);
    out.push(...renderFindings(h.reasons, s, '    '));
    if (h.instructions.length > 0) {
      out.push('    relup instructions:');
      for (const i of h.instructions) out.push(`      ${i}`);
    }
  }
  return out.join('\n');
}
