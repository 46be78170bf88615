/** Text for a plan: per host, running → target, the decision and why, the instructions. */
import type { UpgradePlan } from '../plan/types.js';
import type { Style } from './style.js';

export function renderPlan(plan: UpgradePlan, s: Style): string {
  const out: string[] = [`${s.bold(`Plan for ${plan.app} in ${plan.environment}`)} (target ${s.cyan(plan.target.vsn)})`];
  for (const h of plan.hosts) {
    const colour = h.action === 'hot' ? s.green : h.action === 'noop' ? s.dim : h.action === 'restart' ? s.yellow : s.red;
    out.push(`  ${s.bold(h.host)}  ${h.from ?? '?'} → ${h.to}  ${colour(h.action.toUpperCase())}`);
    for (const w of h.warnings) out.push(`    ${s.yellow('! ')}${w}`);
    for (const sev of ['error', 'warning', 'info'] as const) {
      for (const r of h.reasons.filter((x) => x.severity === sev)) {
        const tag = sev === 'error' ? s.red(sev) : sev === 'warning' ? s.yellow(sev) : s.dim(sev);
        out.push(`    ${tag} [${r.rule}] ${r.message}`, `      ${s.dim(`→ ${r.remedy}`)}`);
      }
    }
    if (h.instructions.length > 0) {
      out.push('    relup instructions:');
      for (const i of h.instructions) out.push(`      ${i}`);
    }
  }
  return out.join('\n');
}
