/**
 * The missing old release: a fresh checkout (a CI runner) has no copy of the
 * release production runs, and a relup can only be made from one. This brings
 * releases/<old>/ and the lib/ directories it names from a production host
 * into the build's release directory.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extract } from 'tar';
import { HotupError } from '../errors.js';
import { packArgv } from '../commands/archive.js';
import { mkdirArgv, removeArgv } from '../commands/files.js';
import { hostHelperDir } from '../commands/helper.js';
import type { ReleasesEntry } from '../terms/model.js';
import type { NodeTarget } from './live.js';

/** "app-vsn" → [app, vsn]; application names have no '-', versions may. */
export function splitLib(lib: string): [string, string] {
  const i = lib.indexOf('-');
  return i < 0 ? [lib, ''] : [lib.slice(0, i), lib.slice(i + 1)];
}

/**
 * A .rel for a release from its RELEASES row: release_handler keeps no .rel
 * under releases/<vsn>/ for releases it unpacked itself, and systools needs one.
 */
export function relFileText(row: ReleasesEntry & { erts: string }): string {
  const apps = row.apps.map(splitLib).map(([a, v]) => `{${a}, "${v}"}`).join(',\n   ');
  return `{release, {"${row.name}", "${row.vsn}"}, {erts, "${row.erts}"},\n  [${apps}]}.\n`;
}

/** Fetches release ROW from NODE's host into the local release directory REL_DIR. */
export async function fetchOldRelease(node: NodeTarget, row: ReleasesEntry, relDir: string): Promise<void> {
  const host = node.exec.target;
  if (!row.erts) {
    throw new HotupError('OLD_RELEASE_MISSING', `the host's RELEASES has no ERTS version for ${row.vsn}`, 'Build the running release on the build host instead.', { host });
  }
  const paths = [`releases/${row.vsn}`, ...row.apps.map((a) => `lib/${a}`)];
  const remoteDir = hostHelperDir(node.root);
  const remote = `${remoteDir}/old-${row.vsn}.tar.gz`;
  await node.exec.run(mkdirArgv(remoteDir), { timeoutMs: 30_000 });
  const packed = await node.exec.run(packArgv(node.root, remote, paths), { timeoutMs: 10 * 60_000 });
  if (packed.code !== 0) {
    throw new HotupError('OLD_RELEASE_MISSING', `could not pack release ${row.vsn} on the host: ${packed.stderr.trim().slice(0, 300)}`,
      'Check that the release root is readable and has room under .hotup/, or build the running release on the build host.', { host });
  }
  const local = await mkdtemp(path.join(os.tmpdir(), 'hotup-old-'));
  try {
    const file = path.join(local, 'old.tar.gz');
    await node.exec.download(remote, file);
    await mkdir(relDir, { recursive: true });
    await extract({ file, cwd: relDir, strict: true });
    await writeFile(path.join(relDir, 'releases', row.vsn, `${row.name}.rel`), relFileText({ ...row, erts: row.erts }), { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  } finally {
    await rm(local, { recursive: true, force: true });
    await node.exec.run(removeArgv(remote), { timeoutMs: 30_000 }).catch(() => undefined);
  }
}
