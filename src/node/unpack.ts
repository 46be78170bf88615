/**
 * A release of the target version the node knows but neither runs nor boots
 * (`unpacked`: an apply stopped before install; `old`: installed, then rolled
 * back) is an earlier build. Before a new tarball of that version is shipped,
 * it is removed, so what installs is what was shipped, not the bytes left in
 * its lib/ directories. (remove_release deletes releases/VSN/, so this runs
 * before the tarball is put there.)
 */
import { HotupError } from '../errors.js';
import type { Host } from '../host/host.js';
import type { StepOutcome } from '../core/step.js';
import { removeRelease } from './release-handler.js';
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
    throw new HotupError('UPGRADE_FAILED', `release_handler:remove_release("${vsn}") returned ${r.reply}`,
      `The node still runs the release it ran before; nothing was changed on it. Remove release ${vsn} by hand (release_handler:remove_release("${vsn}")), or bump the version, then apply again.`,
      { host: host.name, untouched: true });
  }
  return { value: undefined, detail: `the earlier build of ${vsn} (${status}) removed: the shipped tarball replaces it` };
}
