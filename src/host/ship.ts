/** Puts the tarball where release_handler looks for it: temp name, sha256 check, atomic rename. */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { UploadProgress } from '../remote/executor.js';
import { commitShipArgv, prepareShipArgv, removeArgv, SHIP_EXIT } from '../commands/files.js';
import { shippedTarballPath } from '../commands/release-paths.js';
import type { Host } from './host.js';

export interface LocalTarball {
  path: string;
  sha256: string;
  bytes: number;
}

function uploadFailed(host: Host, what: string): HotupError {
  return new HotupError('UPLOAD_FAILED', what, 'Check free disk space and that the SSH user can write under deploy_to/releases.', { host: host.name });
}

export type ShipResult = 'uploaded' | 'present';

/** Two commands and one upload: the directory made and any file there checked, then the upload checked and renamed into place. */
export async function shipTarball(host: Host, vsn: string, tarball: LocalTarball, onProgress?: (p: UploadProgress) => void): Promise<ShipResult> {
  const final = shippedTarballPath(host.root, vsn, host.app);
  const dir = path.posix.dirname(final);
  const there = await host.run(prepareShipArgv(final), { timeoutMs: 120_000 });
  if (there.code === SHIP_EXIT.noDirectory) throw uploadFailed(host, `cannot create ${dir}: ${there.stderr.trim()}`);
  if (there.code === 0 && there.stdout.trim().startsWith(tarball.sha256)) return 'present';
  if (there.code !== 0 && there.code !== SHIP_EXIT.missing) {
    throw new HotupError('COMMAND_FAILED', `could not compute the sha256 of ${final}: ${there.stderr.trim() || `exit ${there.code}`}`,
      'hotup needs `sha256sum` (coreutils) or `shasum` on the host.', { host: host.name });
  }
  const temp = `${dir}/.${host.app}.tar.gz.hotup-${randomBytes(4).toString('hex')}`;
  try {
    await host.put(tarball.path, temp, onProgress);
    const done = await host.run(commitShipArgv(temp, final, tarball.sha256), { timeoutMs: 120_000 });
    if (done.code === SHIP_EXIT.mismatch) {
      throw uploadFailed(host, `the uploaded tarball's sha256 is ${done.stderr.trim() || 'unknown'}, expected ${tarball.sha256}; the transfer was corrupted or the disk is full`);
    }
    if (done.code !== 0) throw uploadFailed(host, `checking and renaming ${temp} to ${final} failed: ${done.stderr.trim() || `exit ${done.code}`}`);
  } catch (e) {
    await host.run(removeArgv(temp), { timeoutMs: 30_000 }).catch(() => undefined);
    throw e;
  }
  return 'uploaded';
}
