/** Puts the tarball where release_handler looks for it: temp name, sha256 check, atomic rename. */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { Executor, UploadProgress } from '../remote/executor.js';
import { mkdirArgv, removeArgv, renameArgv, sha256Argv, READ_FILE_MISSING } from '../commands/files.js';
import { shippedTarballPath } from '../commands/release-paths.js';

export interface LocalTarball {
  path: string;
  sha256: string;
  bytes: number;
}

/** The remote file's sha256, or null when it does not exist. */
async function remoteSha256(exec: Executor, file: string): Promise<string | null> {
  const r = await exec.run(sha256Argv(file), { timeoutMs: 120_000 });
  if (r.code === READ_FILE_MISSING) return null;
  const digest = /^[0-9a-f]{64}/.exec(r.stdout.trim());
  if (r.code !== 0 || !digest) {
    throw new HotupError('COMMAND_FAILED', `could not compute the sha256 of ${file}: ${r.stderr.trim() || `exit ${r.code}`}`,
      'hotup needs `sha256sum` (coreutils) or `shasum` on the host.', { host: exec.target });
  }
  return digest[0];
}

async function mustRun(exec: Executor, argv: string[], what: string): Promise<void> {
  const r = await exec.run(argv, { timeoutMs: 60_000 });
  if (r.code !== 0) {
    throw new HotupError('UPLOAD_FAILED', `${what} failed: ${r.stderr.trim() || `exit ${r.code}`}`,
      'Check free disk space and that the SSH user can write under deploy_to/releases.', { host: exec.target });
  }
}

export type ShipResult = 'uploaded' | 'present';

export async function shipTarball(
  exec: Executor,
  root: string,
  app: string,
  vsn: string,
  tarball: LocalTarball,
  onProgress?: (p: UploadProgress) => void,
): Promise<ShipResult> {
  const final = shippedTarballPath(root, vsn, app);
  if ((await remoteSha256(exec, final)) === tarball.sha256) return 'present';
  await mustRun(exec, mkdirArgv(path.posix.dirname(final)), `creating ${path.posix.dirname(final)}`);
  const temp = `${path.posix.dirname(final)}/.${app}.tar.gz.hotup-${randomBytes(4).toString('hex')}`;
  try {
    await exec.upload(tarball.path, temp, onProgress);
    const got = await remoteSha256(exec, temp);
    if (got !== tarball.sha256) {
      throw new HotupError('UPLOAD_FAILED', `the uploaded tarball's sha256 is ${got ?? 'missing'}, expected ${tarball.sha256}`,
        'The transfer was corrupted or the disk is full; run apply again.', { host: exec.target });
    }
    await mustRun(exec, renameArgv(temp, final), `renaming ${temp} to ${final}`);
  } catch (e) {
    await exec.run(removeArgv(temp), { timeoutMs: 30_000 }).catch(() => undefined);
    throw e;
  }
  return 'uploaded';
}
