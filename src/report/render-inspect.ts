/** Text for `hotup inspect`: each path of the relup grouped by application, and what the rules found. */
import type { InspectResult } from '../core/inspect.js';
import type { Finding } from '../validate/finding.js';
import type { Style } from './style.js';

export function renderFindings(findings: Finding[], s: Style, indent: string): string[] {
  const out: string[] = [];
  for (const sev of ['error', 'warning', 'info'] as const) {
    for (const r of findings.filter((x) => x.severity === sev)) {
      const tag = sev === 'error' ? s.red(sev) : sev === 'warning' ? s.yellow(sev) : s.dim(sev);
      out.push(`${indent}${tag} [${r.rule}] ${r.message}`, `${indent}  ${s.dim(`→ ${r.remedy}`)}`);
    }
  }
  return out;
}

export function renderInspect(r: InspectResult, s: Style): string {
  const out = [`${s.bold(r.artifact)}: ${r.kind === 'relup' ? 'relup' : 'release'} ${s.cyan(r.vsn)}`];
  out.push(...renderFindings(r.findings, s, '  '));
  for (const p of r.paths) {
    const head = p.direction === 'up' ? `up from ${p.vsn}` : `down to ${p.vsn}`;
    out.push(`  ${s.bold(head)}${p.decision ? `  → ${p.decision.toUpperCase()}` : ''}`);
    for (const g of p.groups) {
      out.push(`    ${g.app}:`);
      for (const l of g.lines) out.push(`      ${l}`);
    }
    out.push(...renderFindings(p.findings, s, '    '));
  }
  return out.join('\n');
}
