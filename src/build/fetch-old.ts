/**
 * The missing old release: a fresh checkout (a CI runner) has no copy of the
 * release production runs, and a relup can only be made from one. This brings
 * releases/<old>/ and the lib/ directories it names from a production host
 * into the build's release directory.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { scratchDir } from '../scratch.js';
import { HotupError } from '../errors.js';
import { packArgv, unpackArgv } from '../commands/archive.js';
import { mkdirArgv, removeArgv, testFileArgv, writeFileArgv } from '../commands/files.js';
import type { Executor } from '../remote/executor.js';
import type { ReleasesEntry } from '../terms/model.js';
import type { Host } from '../host/host.js';

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

/** Fetches release ROW from HOST into REL_DIR on the build host (this machine or a remote one). */
export async function fetchOldRelease(host: Host, row: ReleasesEntry, build: { exec: Executor; relDir: string }): Promise<void> {
  if (!row.erts) {
    throw new HotupError('OLD_RELEASE_MISSING', `the host's RELEASES has no ERTS version for ${row.vsn}`, 'Build the running release on the build host instead.', { host: host.name });
  }
  const paths = [`releases/${row.vsn}`, ...row.apps.map((a) => `lib/${a}`)];
  // hotup's own corner of the release root, which the deploy user can write.
  const remoteDir = `${host.root}/.hotup`;
  const remote = `${remoteDir}/old-${row.vsn}.tar.gz`;
  await host.run(mkdirArgv(remoteDir), { timeoutMs: 30_000 });
  const packed = await host.run(packArgv(host.root, remote, paths), { timeoutMs: 10 * 60_000 });
  if (packed.code !== 0) {
    throw new HotupError('OLD_RELEASE_MISSING', `could not pack release ${row.vsn} on the host: ${packed.stderr.trim().slice(0, 300)}`,
      'Check that the release root is readable and has room under .hotup/, or build the running release on the build host.', { host: host.name });
  }
  const local = await scratchDir('hotup-old-');
  const onBuild = `${build.relDir}/.hotup-old-${row.vsn}.tar.gz`;
  try {
    const file = path.join(local, 'old.tar.gz');
    await host.get(remote, file);
    await build.exec.run(mkdirArgv(build.relDir), { timeoutMs: 30_000 });
    await build.exec.upload(file, onBuild);
    const unpacked = await build.exec.run(unpackArgv(onBuild, build.relDir), { timeoutMs: 10 * 60_000 });
    if (unpacked.code !== 0) {
      throw new HotupError('OLD_RELEASE_MISSING', `could not unpack release ${row.vsn} into ${build.relDir}: ${unpacked.stderr.trim()}`,
        'Check free disk space in the build directory.', { host: build.exec.target });
    }
    // systools needs a .rel; release_handler keeps none for releases it unpacked itself.
    const rel = `${build.relDir}/releases/${row.vsn}/${row.name}.rel`;
    if ((await build.exec.run(testFileArgv(rel), { timeoutMs: 30_000 })).code !== 0) {
      await build.exec.run(writeFileArgv(rel), { stdin: relFileText({ ...row, erts: row.erts }), timeoutMs: 30_000 });
    }
  } finally {
    await rm(local, { recursive: true, force: true });
    await host.run(removeArgv(remote), { timeoutMs: 30_000 }).catch(() => undefined);
    await build.exec.run(removeArgv(onBuild), { timeoutMs: 30_000 }).catch(() => undefined);
  }
}
