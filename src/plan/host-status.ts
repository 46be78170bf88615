/**
 * What a host runs, from three witnesses that can disagree: start_erl.data
 * (what the node boots next), RELEASES (release_handler's table on disk) and
 * the live node. Pure: the readings are gathered elsewhere.
 */
import type { ReleasesEntry } from '../terms/model.js';
import type { StartErlData } from '../terms/start-erl.js';

export type LiveReading = { up: true; releases: ReleasesEntry[] } | { up: false; reason: string };

export interface HostReadings {
  host: string;
  startErl: StartErlData | null;
  /** null when the file is absent (plain `mix release` writes none). */
  releasesFile: ReleasesEntry[] | null;
  live: LiveReading;
}

/**
 * Where a host stands, in one word: permanent (runs what it boots; all agree),
 * installed-not-permanent (an apply cut off after install: a restart goes
 * back), disagreeing (the witnesses disagree otherwise), down (the node does
 * not answer; start_erl.data says what it boots).
 */
export type HostState = 'permanent' | 'installed-not-permanent' | 'disagreeing' | 'down';

export interface HostStatus extends HostReadings {
  /** The version the node runs now; when it is down, the one it would boot. */
  running: string | null;
  /** The permanent release according to the live node, else RELEASES. */
  permanent: string | null;
  state: HostState;
  /** Versions only unpacked (never installed, or rolled back from): the next apply of one replaces it. */
  unpacked: string[];
  disagreements: string[];
}

function withStatus(entries: ReleasesEntry[] | null, status: string): string | null {
  return entries?.find((e) => e.status === status)?.vsn ?? null;
}

/** What a node with release table ENTRIES runs: after install_release and before make_permanent, the `current` one. */
export function runningOf(entries: ReleasesEntry[]): string | null {
  return withStatus(entries, 'current') ?? withStatus(entries, 'permanent');
}

export function assessHost(r: HostReadings): HostStatus {
  const liveReleases = r.live.up ? r.live.releases : null;
  const liveRunning = liveReleases && runningOf(liveReleases);
  const filePermanent = withStatus(r.releasesFile, 'permanent');
  const livePermanent = withStatus(liveReleases, 'permanent');
  const disagreements: string[] = [];
  if (r.startErl && filePermanent && r.startErl.vsn !== filePermanent) {
    disagreements.push(
      `start_erl.data names ${r.startErl.vsn} but RELEASES marks ${filePermanent} permanent: the next boot starts ${r.startErl.vsn}`,
    );
  }
  if (r.startErl && livePermanent && r.startErl.vsn !== livePermanent) {
    disagreements.push(
      `start_erl.data names ${r.startErl.vsn} but the live node's permanent release is ${livePermanent} (stale start_erl.data)`,
    );
  }
  if (liveRunning && livePermanent && liveRunning !== livePermanent) {
    disagreements.push(
      `the node runs ${liveRunning}, installed but not made permanent (permanent: ${livePermanent}); a restart would go back`,
    );
  }
  if (filePermanent && livePermanent && filePermanent !== livePermanent) {
    disagreements.push(`RELEASES marks ${filePermanent} permanent but the live node says ${livePermanent}`);
  }
  const state: HostState = !r.live.up ? 'down'
    : liveRunning !== livePermanent ? 'installed-not-permanent'
      : disagreements.length > 0 ? 'disagreeing' : 'permanent';
  return {
    ...r,
    running: liveRunning ?? r.startErl?.vsn ?? filePermanent,
    permanent: livePermanent ?? filePermanent,
    state,
    unpacked: (liveReleases ?? r.releasesFile ?? []).filter((e) => e.status === 'unpacked').map((e) => e.vsn),
    disagreements,
  };
}
