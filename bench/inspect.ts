/**
 * Benchmark, not a test: how long `hotup inspect` takes on a release with many
 * modules (5,000 by default; `npx tsx bench/inspect.ts 20000` for more, and
 * a second number for how many runs, 5 by default). Generates the release with
 * bench/gen-release.erl, then reports the times: a first run (which may make
 * the helper's compiled twin) and the median of the runs after it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from '../src/core/inspect.js';

const modules = Number(process.argv[2] ?? 5000);
const runs = Number(process.argv[3] ?? 5);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = await mkdtemp(path.join(os.tmpdir(), 'hotup-bench-'));
try {
  let t = Date.now();
  execFileSync('escript', [path.join(here, 'gen-release.erl'), root, String(modules)], { stdio: 'inherit' });
  console.log(`generated a release with ${modules} modules in two versions: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const times: number[] = [];
  let findings = 0;
  for (let i = 0; i < runs; i++) {
    t = Date.now();
    const result = await inspect(root);
    times.push(Date.now() - t);
    findings = result.paths.reduce((n, p) => n + p.findings.length, 0);
  }
  const later = times.slice(1).sort((a, b) => a - b);
  const s = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
  console.log(`inspect (facts of both releases, relup, all rules): first ${s(times[0])}, then median ${s(later[Math.floor(later.length / 2)])} (${later.map(s).join(', ')}); ${findings} findings`);
} finally {
  await rm(root, { recursive: true, force: true });
}
