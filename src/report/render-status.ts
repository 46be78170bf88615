/** Text for `hotup status`: one block per host. */
import type { HostState, HostStatus } from '../plan/host-status.js';
import type { ReleasesEntry } from '../terms/model.js';
import type { Style } from './style.js';

function table(entries: ReleasesEntry[]): string[] {
  return entries.map((e) => `      ${e.vsn.padEnd(14)} ${e.status}`);
}

const STATE_TEXT: Record<HostState, (h: HostStatus, s: Style) => string> = {
  'permanent': (h, s) => s.green(`${h.running} permanent`),
  'installed-not-permanent': (h, s) => s.yellow(`${h.running} installed, not permanent (a restart boots ${h.startErl?.vsn ?? h.permanent}): \`hotup apply\` finishes it`),
  'disagreeing': (_h, s) => s.yellow('the witnesses disagree (above): see docs/troubleshooting.md'),
  'down': (h, s) => s.yellow(`node down; it boots ${h.startErl?.vsn ?? 'an unknown release'} when started`),
};

export function renderStatus(hosts: HostStatus[], s: Style): string {
  const out: string[] = [];
  for (const h of hosts) {
    out.push(`${s.bold(h.host)}  ${h.running ? `runs ${s.cyan(h.running)}` : s.yellow('running version unknown')}`);
    out.push(`    start_erl.data: ${h.startErl ? `${h.startErl.vsn} (erts ${h.startErl.erts})` : s.yellow('missing')}`);
    if (h.releasesFile) out.push('    RELEASES:', ...table(h.releasesFile));
    else out.push(`    RELEASES: ${s.yellow('missing')}`);
    if (h.live.up) out.push('    live node (release_handler:which_releases/0):', ...table(h.live.releases));
    else out.push(`    live node: ${s.yellow(`down (${h.live.reason})`)}`);
    for (const d of h.disagreements) out.push(`    ${s.yellow('! ')}${d}`);
    out.push(`    state: ${STATE_TEXT[h.state](h, s)}`);
    if (h.unpacked.length > 0) out.push(`    unpacked, not installed: ${h.unpacked.join(', ')}`);
  }
  return out.join('\n');
}
