/** Runs on this machine: argv straight to the program, no shell in between. */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { HotupError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, type Executor, type RunOptions, type RunResult, type UploadProgress } from './executor.js';

export class LocalExecutor implements Executor {
  readonly target = 'local';

  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [cmd, ...args] = argv;
    if (!cmd) return Promise.reject(new Error('empty argv'));
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        // Own process group, so a timeout takes down what the command started too.
        detached: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new HotupError('COMMAND_FAILED', `could not run ${cmd}: ${e.message}`,
            e.code === 'ENOENT' ? `Install ${cmd} or put it on PATH.` : 'Check the command and its working directory.',
            { host: this.target }),
        );
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new HotupError('COMMAND_TIMEOUT', `\`${argv.join(' ')}\` did not finish within ${timeoutMs / 1000} s and was stopped`,
            'Find out why it hangs by running it by hand.', { host: this.target }));
          return;
        }
        resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
      });
    });
  }

  async upload(localPath: string, remotePath: string, onProgress?: (p: UploadProgress) => void): Promise<void> {
    await mkdir(path.dirname(remotePath), { recursive: true });
    await copyFile(localPath, remotePath);
    const { size } = await stat(remotePath);
    onProgress?.({ transferred: size, total: size });
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    await mkdir(path.dirname(localPath), { recursive: true });
    await copyFile(remotePath, localPath);
  }

  async close(): Promise<void> {}
}
