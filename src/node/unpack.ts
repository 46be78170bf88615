/**
 * Unpacking a release on a live node, and what comes first. A release of the
 * target version the node knows but neither runs nor boots
 * (`unpacked`: an apply stopped before install; `old`: installed, then rolled
 * back) is an earlier build. Before a new tarball of that version is shipped,
 * it is removed, so what installs is what was shipped, not the bytes left in
 * its lib/ directories. (remove_release deletes releases/VSN/, so this runs
 * before the tarball is put there.)
 */
import type { Host } from '../host/host.js';
import type { ReleaseStatus } from '../terms/model.js';
import type { StepOutcome } from '../core/step.js';
import { HotupError } from '../errors.js';
import { releasesFilePath } from '../commands/release-paths.js';
import { createReleases, refused, removeRelease, STILL_OLD, unpack, whichReleases } from './release-handler.js';
import { readLive } from './live.js';

export type EarlierBuild = 'unpacked' | 'old';

/** VSN's status on the live node when it is an earlier build to replace; null otherwise (a node down knows none). */
export async function earlierBuild(host: Host, vsn: string): Promise<EarlierBuild | null> {
  const live = await readLive(host);
  if (!live.up) return null;
  const status = live.releases.find((r) => r.vsn === vsn)?.status;
  return status === 'unpacked' || status === 'old' ? status : null;
}

export async function removeEarlierBuild(host: Host, vsn: string, status: EarlierBuild): Promise<StepOutcome<undefined>> {
  const r = await removeRelease(host, vsn);
  if (!r.ok) {
    throw refused(host.name, `release_handler:remove_release("${vsn}")`, r,
      `${STILL_OLD} Remove release ${vsn} by hand (release_handler:remove_release("${vsn}")), or bump the version, then apply again.`, true);
  }
  return { value: undefined, detail: `the earlier build of ${vsn} (${status}) removed: the shipped tarball replaces it` };
}

/**
 * A release without releases/RELEASES (as `mix release` makes it) gets one for the release it runs, made by
 * release_handler itself: without it, release_handler invents a record with no applications and no ERTS,
 * and everything it writes after (an unpack, a set-boot) carries that record on.
 */
export async function bootstrapReleases(host: Host): Promise<StepOutcome<undefined>> {
  if ((await host.read(releasesFilePath(host.root))) !== null) return { value: undefined, skipped: true, detail: 'releases/RELEASES exists' };
  const running = (await whichReleases(host)).find((r) => r.status === 'permanent')?.vsn;
  if (!running) throw new HotupError('UPGRADE_FAILED', 'the node reports no permanent release to record in a new RELEASES', 'Run `hotup status` to see what the node reports.', { host: host.name, untouched: true });
  const r = await createReleases(host, running);
  if (!r.ok) throw refused(host.name, 'release_handler:create_RELEASES', r, `${STILL_OLD} release_handler needs releases/RELEASES; create it by hand or check that releases/${running}/${host.app}.rel exists.`, true);
  return { value: undefined, detail: `releases/RELEASES made for the running ${running}` };
}

/** release_handler unpacks the shipped tarball of VSN, unless the node already knows VSN (STATUS). */
export async function unpackOnNode(host: Host, vsn: string, status: ReleaseStatus | undefined): Promise<StepOutcome<undefined>> {
  if (status) return { value: undefined, skipped: true, detail: `${vsn} is already ${status}` };
  const r = await unpack(host, vsn);
  if (!r.ok) {
    throw refused(host.name, `release_handler:unpack_release("${vsn}/${host.app}")`, r,
      `${STILL_OLD} Check the tarball and free disk space under releases/; a tarball whose .rel names other application versions than lib/ holds cannot be unpacked.`, true);
  }
  return { value: undefined, detail: `${vsn} unpacked` };
}
