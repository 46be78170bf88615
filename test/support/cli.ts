/** Runs the compiled `hotup` binary the way a user does, without a terminal. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs hotup; `bin` runs another copy of it (an installed package's bin) as an executable, else the compiled one. */
export function hotup(args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number; bin?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [cmd, ...pre] = opts.bin ? [opts.bin] : [process.execPath, BIN];
    const child = spawn(cmd!, [...pre, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The JSON document a `--json` run printed; fails loudly when stdout has anything else. */
export function jsonOf(r: CliResult): any {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  }
}
