/**
 * Benchmark, not a test: how long `hotup inspect` takes on a release with many
 * modules (5,000 by default; `npx tsx bench/inspect.ts 20000` for more).
 * Generates the release with bench/gen-release.erl, then reports the times.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from '../src/core/inspect.js';

const modules = Number(process.argv[2] ?? 5000);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = await mkdtemp(path.join(os.tmpdir(), 'hotup-bench-'));
try {
  let t = Date.now();
  execFileSync('escript', [path.join(here, 'gen-release.erl'), root, String(modules)], { stdio: 'inherit' });
  console.log(`generated a release with ${modules} modules in two versions: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const runs: number[] = [];
  let findings = 0;
  for (let i = 0; i < 3; i++) {
    t = Date.now();
    const result = await inspect(root);
    runs.push(Date.now() - t);
    findings = result.paths.reduce((n, p) => n + p.findings.length, 0);
  }
  console.log(`inspect (facts of both releases, relup, all rules): ${runs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ')}; ${findings} findings`);
} finally {
  await rm(root, { recursive: true, force: true });
}
