/** Small helpers the benchmark parts share: timing, statistics, bounded parallelism, clean-up. */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The CLI of this checkout, as `npm run build` leaves it. */
export const CLI = path.join(REPO, 'dist/cli/main.js');

/** One row of the results table. */
export interface Row {
  part: Part;
  case: string;
  /** The measured figure, in milliseconds. */
  ms: number;
  /** The figure over its baseline, when the case has one. */
  ratio: number | null;
  /** What the ratio compares with (`script`, `1 host`, `node -e 0`, `1 s`). */
  baseline: string | null;
  /** The target the ratio is held to (ratio ≤ target), when there is one. */
  target: number | null;
  /** Every sample behind the figure, in milliseconds (or ratios, for pairs), for the JSON. */
  samples: number[];
}

export type Part = 'apply' | 'fleet' | 'inspect' | 'startup';

export interface PartResult {
  part: Part;
  /** ISO date of the measurement. */
  at: string;
  quick: boolean;
  /** The machine's one-minute load average when the part started: how much else was running. */
  load: number;
  rows: Row[];
  /** How it was measured, in a sentence or two, for the doc. */
  notes: string[];
}

export interface RunOptions {
  quick: boolean;
  log: (line: string) => void;
}

/** When a part starts and how loaded the machine is then. */
export function stamp(): { at: string; load: number } {
  return { at: new Date().toISOString(), load: os.loadavg()[0] ?? 0 };
}

export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

/** FN over ITEMS with at most LIMIT running at once; results in input order; the first failure fails all. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Programs exec() has running, so an interrupted run can end them before it removes their files. */
const children = new Set<ChildProcess>();

/** Runs a program without a shell or terminal; never throws on a non-zero exit. */
export function exec(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      children.delete(child);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Fails with the command's output when it did not exit 0. */
export function check(what: string, r: ExecResult): ExecResult {
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code}\n${r.stdout}\n${r.stderr}`.trimEnd());
  return r;
}

/** `node dist/cli/main.js ARGS` of this checkout. */
export function hotup(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  return exec(process.execPath, [CLI, ...args], opts);
}

/**
 * Clean-up actions, run last-registered first, once: at the end of a part, and
 * on SIGINT/SIGTERM so an interrupted run leaves no node, sshd or temp dir.
 */
export class Cleanup {
  private actions: Array<() => Promise<unknown>> = [];
  private running: Promise<void> | null = null;

  defer(action: () => Promise<unknown>): void {
    this.actions.push(action);
  }

  /** Runs the actions; a second call while they run (signal and finally at once) waits for the same run. */
  run(): Promise<void> {
    this.running ??= this.runActions();
    return this.running;
  }

  private async runActions(): Promise<void> {
    const failures: string[] = [];
    while (this.actions.length > 0) {
      const action = this.actions.pop()!;
      await action().catch((e: Error) => failures.push(e.message));
    }
    if (failures.length > 0) console.error(`clean-up: ${failures.join('; ')}`);
  }
}

/** Runs FN with a Cleanup that runs afterwards, also when FN fails or the process is interrupted. */
export async function withCleanup<T>(fn: (cleanup: Cleanup) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup();
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: cleaning up`);
    void endChildren().then(() => cleanup.run()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(cleanup);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup.run();
  }
}

/** Ends the programs exec() has running and waits (a bounded while) until they have exited. */
async function endChildren(): Promise<void> {
  await Promise.all([...children].map((child) => new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 5_000);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  })));
}

/** Removes a directory tree, retrying while a program that just ended may still be writing in it. */
export function removeTree(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

export function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}
