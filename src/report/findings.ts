/** Findings for people: grouped by severity, each with its rule id and what to do. */
import type { Severity } from '../validate/finding.js';
import type { Style } from './style.js';

/** What a finding needs to be shown; the rules' findings and the live check's both have it. */
export interface ShownFinding {
  rule: string;
  severity: Severity;
  message: string;
  remedy: string;
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

function tag(sev: Severity, s: Style): string {
  return sev === 'error' ? s.red(sev) : sev === 'warning' ? s.yellow(sev) : s.dim(sev);
}

/** "2 errors, 1 warning" (severities that occur only); "no findings" when none. */
export function countFindings(findings: ShownFinding[]): string {
  const parts = SEVERITIES.flatMap((sev) => {
    const n = findings.filter((f) => f.severity === sev).length;
    return n === 0 ? [] : [`${n} ${sev === 'info' ? 'note' : sev}${n === 1 ? '' : 's'}`];
  });
  return parts.join(', ') || 'no findings';
}

export function renderFindings(findings: ShownFinding[], s: Style, indent: string): string[] {
  return SEVERITIES.flatMap((sev) => findings.filter((f) => f.severity === sev).flatMap((f) => [
    `${indent}${tag(sev, s)} [${f.rule}] ${f.message}`,
    `${indent}  ${s.dim(`→ ${f.remedy}`)}`,
  ]));
}
