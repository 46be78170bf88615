/** The closing table of apply/downgrade: per host, before → after, how, how long, and the result. */
import type { HostResult } from '../core/results.js';
import { seconds, type Style } from './style.js';

export function renderSummary(hosts: HostResult[], s: Style): string {
  const rows = hosts.map((h) => [
    h.host,
    `${h.from ?? '?'} → ${h.to}`,
    h.execution,
    h.ms ? seconds(h.ms) : '-',
    h.downtimeMs !== undefined ? seconds(h.downtimeMs) : '-',
    h.outcome,
  ]);
  const head = ['host', 'before → after', 'how', 'took', 'downtime', 'result'];
  const widths = head.map((t, c) => Math.max(t.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd();
  const colour = (outcome: string) =>
    outcome === 'upgraded' ? s.green : outcome === 'unchanged' || outcome === 'untouched' ? s.dim : outcome === 'rolled_back' ? s.yellow : s.red;
  return [s.bold(line(head)), ...rows.map((r) => colour(r[5]!)(line(r)))].join('\n');
}
