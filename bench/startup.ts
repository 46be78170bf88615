/**
 * Part startup: `hotup --help` and `hotup --version` against `node -e 0`, the
 * floor any Node CLI stands on. Runs are interleaved (the three commands in
 * turn, the order rotating) so drift in the machine's load hits all alike;
 * the ratio is of the medians.
 */
import { spawnSync } from 'node:child_process';
import { CLI, REPO, median, stamp, type PartResult, type RunOptions, type Row } from './lib.js';

const CASES: Array<{ name: string; args: string[] }> = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'hotup --help', args: [CLI, '--help'] },
  { name: 'hotup --version', args: [CLI, '--version'] },
];

function once(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

export async function runStartup(opts: RunOptions): Promise<PartResult> {
  const runs = opts.quick ? 10 : 40;
  const started = stamp();
  const times: number[][] = CASES.map(() => []);
  // One unmeasured round so the first measured one does not pay for a cold file cache.
  for (const c of CASES) once(c.args);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < CASES.length; k++) {
      const j = (i + k) % CASES.length;
      times[j]!.push(once(CASES[j]!.args));
    }
  }
  const base = median(times[0]!);
  const rows: Row[] = CASES.map((c, j) => {
    const ms = median(times[j]!);
    return j === 0
      ? { part: 'startup', case: c.name, ms, ratio: null, baseline: null, target: null, samples: times[j]! }
      : { part: 'startup', case: c.name, ms, ratio: ms / base, baseline: 'node -e 0', target: c.name === 'hotup --help' ? 1.5 : null, samples: times[j]! };
  });
  for (const r of rows) opts.log(`startup: ${r.case}: median ${r.ms.toFixed(0)} ms${r.ratio === null ? '' : ` (${r.ratio.toFixed(2)}×)`}`);
  return {
    part: 'startup',
    ...started,
    quick: opts.quick,
    rows,
    notes: [
      `${runs} runs of each command, interleaved with the order rotating, after one unmeasured round; each is a new \`${process.execPath.split('/').pop()}\` process (Node ${process.version}) with its output piped. The figure is the median wall time; the ratio is over the median of \`node -e 0\`.`,
    ],
  };
}
