/**
 * `npm run bench [-- PART… --quick]`: builds dist/, runs the benchmark parts
 * (apply, fleet, inspect, startup; all by default), prints the table, writes
 * the results JSON to bench/results/ and regenerates docs/performance.md and
 * docs/performance.svg from the latest result of every part.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runApply } from './apply.js';
import { runFleet } from './fleet.js';
import { runInspect } from './inspect.js';
import { exec, REPO, type Part, type PartResult, type RunOptions } from './lib.js';
import { markdown, PARTS, svg, table, type Machine, type Results } from './report.js';
import { runStartup } from './startup.js';

const RUNNERS: Record<Part, (opts: RunOptions) => Promise<PartResult>> = {
  apply: runApply,
  fleet: runFleet,
  inspect: runInspect,
  startup: runStartup,
};
// Quickest and least disturbed first; the fleet, which loads the machine most, last.
const ORDER: Part[] = ['startup', 'inspect', 'apply', 'fleet'];
const RESULTS = path.join(REPO, 'bench/results');
const LATEST = path.join(RESULTS, 'latest.json');
const USAGE = `usage: npm run bench -- [${PARTS.join('|')}]… [--quick]
  no part: all of them; --quick: fewer runs and pairs, fleets of 1 and 5 hosts`;

function parseArgs(argv: string[]): { parts: Part[]; quick: boolean } {
  const parts: Part[] = [];
  let quick = false;
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if ((PARTS as string[]).includes(a)) parts.push(a as Part);
    else {
      console.error(`unknown argument ${a}\n${USAGE}`);
      process.exit(2);
    }
  }
  return { parts: ORDER.filter((p) => parts.length === 0 || parts.includes(p)), quick };
}

async function machine(): Promise<Machine> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const otp = await exec('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().']);
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? `${os.type()} ${os.release()}`,
    node: process.version,
    otp: otp.stdout.trim() || 'unknown',
  };
}

async function latest(): Promise<Results['parts']> {
  try {
    return (JSON.parse(await readFile(LATEST, 'utf8')) as Results).parts;
  } catch {
    return {};
  }
}

const { parts, quick } = parseArgs(process.argv.slice(2));
const log = (line: string) => console.error(line);
log('building dist/ (npm run build)');
execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', process.stderr, process.stderr] });

const measured: PartResult[] = [];
const failed: string[] = [];
for (const part of parts) {
  log(`== ${part}${quick ? ' (quick)' : ''}`);
  try {
    measured.push(await RUNNERS[part]({ quick, log }));
  } catch (e) {
    failed.push(part);
    log(`${part} failed: ${(e as Error).stack ?? e}`);
  }
}

const results: Results = { machine: await machine(), parts: await latest() };
for (const p of measured) results.parts[p.part] = p;
await mkdir(RESULTS, { recursive: true });
const run = { machine: results.machine, parts: measured, failed };
await writeFile(path.join(RESULTS, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`), `${JSON.stringify(run, null, 2)}\n`);
await writeFile(LATEST, `${JSON.stringify(results, null, 2)}\n`);
if (measured.length > 0) {
  await writeFile(path.join(REPO, 'docs/performance.md'), markdown(results));
  await writeFile(path.join(REPO, 'docs/performance.svg'), svg(results));
}

console.log(table(measured.flatMap((p) => p.rows)));
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')} (see above); their earlier results, if any, are kept`);
  process.exitCode = 1;
}
