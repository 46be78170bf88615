/** The results as a console table, as docs/performance.md, and as the hand-written SVG it shows. */
import { seconds, type Part, type PartResult, type Row } from './lib.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  otp: string;
}

export interface Results {
  machine: Machine;
  /** The latest result of each part measured so far (a run of some parts keeps the others'). */
  parts: Partial<Record<Part, PartResult>>;
}

export const PARTS: Part[] = ['apply', 'fleet', 'inspect', 'startup'];

const TITLES: Record<Part, string> = {
  apply: 'apply vs the hand-written pipeline',
  fleet: 'fleet: apply on 1 to 20 hosts',
  inspect: 'inspect on large releases',
  startup: 'start-up: --help and --version',
};

/** Each part's target, met when its target row's ratio is at most (or, `strict`, below) the row's target. */
const TARGETS: Record<Part, { text: string; strict: boolean }> = {
  apply: { text: '`hotup apply` ≤ 1.0× the script', strict: false },
  fleet: { text: '20 hosts ≤ 1.5× one host', strict: false },
  inspect: { text: '5,000-module inspect < 1 s', strict: true },
  startup: { text: '`hotup --help` ≤ 1.5× `node -e 0`', strict: false },
};

function ratioText(r: Row): string {
  return r.ratio === null ? '' : `${r.ratio.toFixed(2)}× ${r.baseline}`;
}

export function table(rows: Row[]): string {
  const lines = [['part', 'case', 'figure', 'ratio'], ...rows.map((r) => [r.part, r.case, seconds(r.ms), ratioText(r)])];
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return lines.map((l) => l.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

interface Verdict {
  part: Part;
  text: string;
  row: Row | null;
  met: boolean | null;
}

function verdicts(results: Results): Verdict[] {
  return PARTS.map((part) => {
    const row = results.parts[part]?.rows.find((r) => r.target !== null && r.ratio !== null) ?? null;
    const { text, strict } = TARGETS[part];
    if (!row) return { part, text, row, met: null };
    const met = strict ? row.ratio! < row.target! : row.ratio! <= row.target!;
    return { part, text, row, met };
  });
}

// ---- SVG -------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;
}

const WIDTH = 760;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13"';

/** Horizontal bars of every ratio that has a target, with the target marked on each. */
function barPanel(results: Results, top: number): { svg: string[]; height: number } {
  const bars: Array<{ label: string; ratio: number; target: number | null; met: boolean | null }> = verdicts(results).filter((v) => v.row)
    .map((v) => ({ label: `${v.part}: ${v.row!.case} vs ${v.row!.baseline}`, ratio: v.row!.ratio!, target: v.row!.target, met: v.met }));
  const version = results.parts.startup?.rows.find((r) => r.case === 'hotup --version' && r.ratio !== null);
  if (version) bars.push({ label: `startup: ${version.case} vs ${version.baseline}`, ratio: version.ratio!, target: null, met: null });
  const out: string[] = [
    text(20, top + 20, 'Ratios: measured (bar) against the target (red line); lower is better', 'font-weight="bold"'),
    text(20, top + 38, 'green: target met · orange: not met · blue: no target', 'fill="#555" font-size="11"'),
  ];
  if (bars.length === 0) return { svg: [...out, text(20, top + 46, 'no ratio measured yet')], height: 60 };
  const left = 300;
  const right = WIDTH - 70;
  const max = Math.max(2, ...bars.map((b) => Math.max(b.ratio, b.target ?? 0))) * 1.05;
  const x = (v: number) => left + ((right - left) * v) / max;
  const rowH = 30;
  const y0 = top + 52;
  for (let g = 0; g <= Math.floor(max); g++) {
    out.push(`<line x1="${x(g)}" y1="${y0 - 4}" x2="${x(g)}" y2="${y0 + bars.length * rowH}" stroke="#ddd"/>`);
    out.push(text(x(g), y0 + bars.length * rowH + 16, `${g}×`, 'text-anchor="middle" fill="#555"'));
  }
  bars.forEach((b, i) => {
    const y = y0 + i * rowH;
    out.push(text(left - 8, y + 17, b.label, 'text-anchor="end"'));
    out.push(`<rect x="${left}" y="${y + 4}" width="${(x(b.ratio) - left).toFixed(1)}" height="${rowH - 10}" fill="${b.met === null ? '#6b8db5' : b.met ? '#4a8f5a' : '#c0713a'}"/>`);
    out.push(text(x(b.ratio) + 6, y + 18, `${b.ratio.toFixed(2)}×`));
    if (b.target !== null) out.push(`<line x1="${x(b.target)}" y1="${y}" x2="${x(b.target)}" y2="${y + rowH - 2}" stroke="#d22" stroke-width="2.5"/>`);
  });
  return { svg: out, height: 52 + bars.length * rowH + 30 };
}

/** Fleet apply wall time against the number of hosts, with the 1.5× one-host line. */
function fleetPanel(results: Results, top: number): { svg: string[]; height: number } {
  const fleet = results.parts.fleet;
  const out: string[] = [text(20, top + 20, 'Fleet: wall time of apply --parallel 10 against hosts', 'font-weight="bold"')];
  if (!fleet || fleet.rows.length === 0) return { svg: [...out, text(20, top + 46, 'fleet not measured yet')], height: 60 };
  const points = fleet.rows.map((r) => ({ n: Number.parseInt(r.case, 10), s: r.ms / 1000 }));
  const one = points.find((p) => p.n === 1)?.s ?? points[0]!.s;
  const left = 70;
  const right = WIDTH - 40;
  const y0 = top + 40;
  const h = 200;
  const maxN = 20;
  const maxS = Math.max(...points.map((p) => p.s), one * 1.5) * 1.15;
  const x = (n: number) => left + ((right - left) * n) / maxN;
  const y = (s: number) => y0 + h - (h * s) / maxS;
  const step = maxS > 60 ? 20 : maxS > 20 ? 10 : 5;
  for (let s = 0; s <= maxS; s += step) {
    out.push(`<line x1="${left}" y1="${y(s).toFixed(1)}" x2="${right}" y2="${y(s).toFixed(1)}" stroke="#eee"/>`);
    out.push(text(left - 8, y(s) + 4, `${s} s`, 'text-anchor="end" fill="#555"'));
  }
  for (const n of [1, 5, 10, 15, 20]) out.push(text(x(n), y0 + h + 18, String(n), 'text-anchor="middle" fill="#555"'));
  out.push(text((left + right) / 2, y0 + h + 36, 'hosts', 'text-anchor="middle" fill="#555"'));
  out.push(`<line x1="${left}" y1="${y0 + h}" x2="${right}" y2="${y0 + h}" stroke="#999"/>`);
  out.push(`<line x1="${x(0)}" y1="${y(one * 1.5).toFixed(1)}" x2="${right}" y2="${y(one * 1.5).toFixed(1)}" stroke="#d22" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  out.push(text(right, y(one * 1.5) - 6, 'target for 20 hosts: 1.5× one host', 'text-anchor="end" fill="#d22"'));
  out.push(`<polyline fill="none" stroke="#2c5d8f" stroke-width="2" points="${points.map((p) => `${x(p.n).toFixed(1)},${y(p.s).toFixed(1)}`).join(' ')}"/>`);
  for (const p of points) {
    out.push(`<circle cx="${x(p.n).toFixed(1)}" cy="${y(p.s).toFixed(1)}" r="4" fill="#2c5d8f"/>`);
    out.push(text(x(p.n) + 6, y(p.s) + 16, `${p.s.toFixed(1)} s`, 'fill="#2c5d8f"'));
  }
  return { svg: out, height: 40 + h + 50 };
}

export function svg(results: Results): string {
  const bars = barPanel(results, 0);
  const fleet = fleetPanel(results, bars.height + 10);
  const height = bars.height + 10 + fleet.height;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...bars.svg,
    ...fleet.svg,
    '</svg>',
    '',
  ].join('\n');
}

// ---- Markdown --------------------------------------------------------------

function when(p: PartResult): string {
  return `${p.at.slice(0, 16).replace('T', ' ')} UTC, ${p.quick ? 'quick run (`--quick`)' : 'full run'}, load average ${p.load.toFixed(1)} when it started`;
}

/** The days the parts were measured on, as `2026-01-31` or a range. */
function dates(parts: PartResult[]): string {
  const days = [...new Set(parts.map((p) => p.at.slice(0, 10)))].sort();
  if (days.length === 0) return 'no day yet';
  return days.length === 1 ? days[0]! : `${days[0]} to ${days[days.length - 1]}`;
}

function verdictText(v: Verdict, results: Results): string {
  if (v.met !== null) return v.met ? 'met' : 'not met';
  const p = results.parts[v.part];
  return p?.quick ? 'not measured: a quick run has no such case (the full run does)' : 'not measured yet';
}

/** One sentence of what a part found, from its rows. */
function summary(p: PartResult): string {
  const rows = p.rows;
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×`;
  switch (p.part) {
    case 'apply': {
      const med = rows.find((r) => r.target !== null)!;
      const pairs = rows.filter((r) => r !== med).map((r) => r.ratio!);
      return `\`hotup apply\` took ${med.ratio!.toFixed(2)}× the script's time (median of ${pairs.length} pairs, which ranged ${range(pairs)}).`;
    }
    case 'fleet': {
      const last = rows[rows.length - 1]!;
      return `From 1 to ${last.case} the wall time of apply went from ${seconds(rows[0]!.ms)} to ${seconds(last.ms)}, ${last.ratio!.toFixed(2)}× one host.`;
    }
    case 'inspect':
      return `Median times: ${rows.map((r) => `${r.case} ${seconds(r.ms)}`).join(', ')}.`;
    case 'startup':
      return `Medians: ${rows.map((r) => `\`${r.case}\` ${seconds(r.ms)}${r.ratio === null ? '' : ` (${r.ratio.toFixed(2)}×)`}`).join(', ')}.`;
  }
}

export function markdown(results: Results): string {
  const m = results.machine;
  const measured = PARTS.filter((p) => results.parts[p]);
  const quick = measured.some((p) => results.parts[p]!.quick);
  const out: string[] = [
    '# Performance',
    '',
    'What hotup costs next to the alternatives it replaces, measured side by side on one machine in one',
    'run and reported as ratios, so the figures say something beyond this machine. The benchmarks live in',
    '`bench/`; this page and `performance.svg` are regenerated by every run:',
    '',
    '```sh',
    'npm run bench                      # every part, full size (builds dist/ first)',
    'npm run bench -- --quick           # fewer runs, fleets of 1 and 5 hosts: a quick check',
    'npm run bench -- fleet inspect     # some parts only; the others keep their last results',
    '```',
    '',
    'Results go to `bench/results/` as JSON. Everything runs on this machine: the SSH servers listen on',
    '127.0.0.1 and the nodes are real OTP releases; nothing is left running afterwards.',
    '',
    '## Machine',
    '',
    `${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB of memory, ${m.os}, Node ${m.node}, Erlang/OTP ${m.otp};`,
    `measured on ${dates(measured.map((p) => results.parts[p]!))}. Other work may share the machine (each part below gives the load`,
    'average it started with): the ratios, taken side by side, are what to read, more than the absolute times.',
    '',
  ];
  if (quick) {
    out.push(`**These figures come from a quick run** (\`--quick\`: fewer runs and pairs, fleets of 1 and 5 hosts only),`,
      'so they are indicative; the full run (`npm run bench`) is the one to quote.', '');
  }
  out.push('## Targets', '', '| target | measured | verdict |', '| --- | --- | --- |');
  for (const v of verdicts(results)) {
    const fig = v.row ? `${v.row.ratio!.toFixed(2)}× ${v.row.baseline} (${v.row.case}: ${seconds(v.row.ms)})` : '—';
    out.push(`| ${v.text} | ${fig} | ${verdictText(v, results)} |`);
  }
  out.push('', '![Ratios against their targets, and fleet apply time against the number of hosts](performance.svg)', '');
  out.push('## Results', '', '| part | case | figure | ratio |', '| --- | --- | --- | --- |');
  for (const p of measured) for (const r of results.parts[p]!.rows) out.push(`| ${r.part} | ${r.case} | ${seconds(r.ms)} | ${ratioText(r) || '—'} |`);
  out.push('');
  for (const part of PARTS) {
    out.push(`## ${TITLES[part]}`, '');
    const p = results.parts[part];
    if (!p) {
      out.push('Not measured yet: `npm run bench -- ' + part + '`.', '');
      continue;
    }
    out.push(`Measured ${when(p)}. ${summary(p)}`, '');
    for (const n of p.notes) out.push(n, '');
  }
  return out.join('\n');
}
