/** Puts the tarball where release_handler looks for it: temp name, sha256 check, atomic rename. */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { UploadProgress } from '../remote/executor.js';
import { mkdirArgv, removeArgv, renameArgv, sha256Argv, READ_FILE_MISSING } from '../commands/files.js';
import { shippedTarballPath } from '../commands/release-paths.js';
import type { Host } from './host.js';

export interface LocalTarball {
  path: string;
  sha256: string;
  bytes: number;
}

/** The remote file's sha256, or null when it does not exist. */
async function remoteSha256(host: Host, file: string): Promise<string | null> {
  const r = await host.run(sha256Argv(file), { timeoutMs: 120_000 });
  if (r.code === READ_FILE_MISSING) return null;
  const digest = /^[0-9a-f]{64}/.exec(r.stdout.trim());
  if (r.code !== 0 || !digest) {
    throw new HotupError('COMMAND_FAILED', `could not compute the sha256 of ${file}: ${r.stderr.trim() || `exit ${r.code}`}`,
      'hotup needs `sha256sum` (coreutils) or `shasum` on the host.', { host: host.name });
  }
  return digest[0];
}

async function mustRun(host: Host, argv: string[], what: string): Promise<void> {
  const r = await host.run(argv, { timeoutMs: 60_000 });
  if (r.code !== 0) {
    throw new HotupError('UPLOAD_FAILED', `${what} failed: ${r.stderr.trim() || `exit ${r.code}`}`,
      'Check free disk space and that the SSH user can write under deploy_to/releases.', { host: host.name });
  }
}

export type ShipResult = 'uploaded' | 'present';

export async function shipTarball(host: Host, vsn: string, tarball: LocalTarball, onProgress?: (p: UploadProgress) => void): Promise<ShipResult> {
  const final = shippedTarballPath(host.root, vsn, host.app);
  if ((await remoteSha256(host, final)) === tarball.sha256) return 'present';
  await mustRun(host, mkdirArgv(path.posix.dirname(final)), `creating ${path.posix.dirname(final)}`);
  const temp = `${path.posix.dirname(final)}/.${host.app}.tar.gz.hotup-${randomBytes(4).toString('hex')}`;
  try {
    await host.put(tarball.path, temp, onProgress);
    const got = await remoteSha256(host, temp);
    if (got !== tarball.sha256) {
      throw new HotupError('UPLOAD_FAILED', `the uploaded tarball's sha256 is ${got ?? 'missing'}, expected ${tarball.sha256}`,
        'The transfer was corrupted or the disk is full; run apply again.', { host: host.name });
    }
    await mustRun(host, renameArgv(temp, final), `renaming ${temp} to ${final}`);
  } catch (e) {
    await host.run(removeArgv(temp), { timeoutMs: 30_000 }).catch(() => undefined);
    throw e;
  }
  return 'uploaded';
}
