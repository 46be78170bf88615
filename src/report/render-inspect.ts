/** Text for `hotup inspect`: the release, then each path of the relup grouped by application, with what the rules found. */
import type { InspectResult } from '../core/inspect.js';
import { countFindings, renderFindings } from './findings.js';
import { renderGroups } from './relup.js';
import type { Style } from './style.js';

export function renderInspect(r: InspectResult, s: Style): string {
  const out = [`${s.bold(r.artifact)}: ${r.kind === 'relup' ? 'relup for release' : 'release'} ${s.cyan(r.vsn)}`];
  if (r.release) {
    out.push(`  ${r.release.name} ${r.release.vsn} on ERTS ${r.release.erts}: ${r.release.apps.map((a) => `${a.name} ${a.vsn}`).join(', ')}`);
  }
  out.push(...renderFindings(r.findings, s, '  '));
  for (const p of r.paths) {
    const head = p.direction === 'up' ? `up from ${p.vsn}` : `down to ${p.vsn}`;
    const verdict = p.decision ? `  → ${p.decision.toUpperCase()} (${countFindings(p.findings)})` : '';
    out.push('', `  ${s.bold(head)}${verdict}`);
    out.push(...(p.present ? renderGroups(p.groups, s, '    ') : [`    ${s.dim('(the relup has no such path)')}`]));
    out.push(...renderFindings(p.findings, s, '    '));
  }
  out.push('', `  ${s.dim(`live facts: not checked (${r.live.why})`)}`);
  return out.join('\n');
}
