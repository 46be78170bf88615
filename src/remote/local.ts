/** Runs on this machine: argv straight to the program, no shell in between. */
import { spawn } from 'node:child_process';
import { copyFile, stat } from 'node:fs/promises';
import { HotupError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, type Executor, type Process, type RunOptions, type RunResult, type UploadProgress } from './executor.js';
import { LineSplitter, StderrTail } from './lines.js';
import { commandTimedOut, exitCode, Output, transferFailed } from './outcome.js';

export class LocalExecutor implements Executor {
  readonly target = 'local';

  constructor(private readonly defaultTimeoutMs = DEFAULT_TIMEOUT_MS) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [cmd, ...args] = argv;
    if (cmd === undefined) return Promise.reject(new Error('run() needs a command'));
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group, so a timeout also stops whatever the command started.
        detached: true,
      });
      const output = new Output(options.onLine);
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
        // Do not wait for 'close': a descendant that left the group could hold the pipes open.
        child.stdout.destroy();
        child.stderr.destroy();
        reject(commandTimedOut(argv, timeoutMs, this.target));
      }, timeoutMs);
      child.stdout.on('data', output.stdout);
      child.stderr.on('data', output.stderr);
      // A command that exits without reading its stdin makes the write fail with EPIPE; its exit code tells the story.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        reject(new HotupError('COMMAND_FAILED', `could not run ${cmd}${options.cwd ? ` in ${options.cwd}` : ''}: ${e.message}`,
          `Check that ${cmd} is installed and on PATH${options.cwd ? `, and that ${options.cwd} exists` : ''}.`, { host: this.target }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        resolve(output.result(code, signal));
      });
    });
  }

  async spawn(argv: readonly string[], options: Pick<RunOptions, 'cwd' | 'env'> = {}): Promise<Process> {
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new Error('spawn() needs a command');
    const child = spawn(cmd, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const lines = new LineSplitter();
    const stderr = new StderrTail();
    child.stdout.on('data', lines.push);
    child.stderr.on('data', stderr.push);
    child.stdin.on('error', () => undefined);
    const ended = new Promise<{ code: number; stderr: string }>((resolve) => {
      child.on('error', (e) => resolve({ code: 127, stderr: `could not run ${cmd}: ${e.message}` }));
      child.on('close', (code, signal) => resolve({ code: exitCode(code, signal), stderr: stderr.value }));
    });
    return {
      write: (text) => void child.stdin.write(text),
      onLine: (l) => lines.listen(l),
      ended,
      close: () => {
        child.stdin.end();
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      },
    };
  }

  async upload(localPath: string, remotePath: string, onProgress?: (p: UploadProgress) => void): Promise<void> {
    const { size } = await copyFile(localPath, remotePath).then(() => stat(remotePath)).catch((e: Error) => {
      throw transferFailed('upload', localPath, remotePath, this.target, e);
    });
    onProgress?.({ transferred: size, total: size });
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    await copyFile(remotePath, localPath).catch((e: Error) => {
      throw transferFailed('download', remotePath, localPath, this.target, e);
    });
  }

  async close(): Promise<void> {}
}
