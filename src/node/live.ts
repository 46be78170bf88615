/** What the live node runs, and waiting for it to answer. */
import { isHotupError } from '../errors.js';
import type { Host } from '../host/host.js';
import { atomOf } from '../terms/etf.js';
import type { LiveReading } from '../plan/host-status.js';
import { whichReleases } from './release-handler.js';
import { startErlDataPath } from '../commands/release-paths.js';
import { parseStartErlData } from '../terms/start-erl.js';

/** The node's release table, or why it is down (NODE_DOWN only: other failures stay errors). */
export async function readLive(host: Host): Promise<LiveReading> {
  try {
    return { up: true, releases: await whichReleases(host) };
  } catch (e) {
    if (isHotupError(e) && e.code === 'NODE_DOWN') return { up: false, reason: e.message };
    throw e;
  }
}

/**
 * Polls until the node answers and has run its boot script (a node answers pings before release_handler
 * is started, and a call then fails with noproc); true when it did. A lost link is not waited out.
 */
export async function waitForNode(host: Host, timeoutMs: number, pollMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await booted(host).catch((e: unknown) => {
      if (isHotupError(e) && e.code === 'LINK_LOST') throw e;
      return false;
    });
    if (ready) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}

/** Polls until the node neither answers nor holds its name in epmd (its VM has exited); true when so. */
export async function waitForNodeGone(host: Host, timeoutMs: number, pollMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = !(await host.nodeUp()) && (await host.call({ op: 'name_registered' }, 10_000).then((t) => t.kind === 'atom' && t.name === 'false', () => false));
    if (gone) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}

/** init:get_status() is {started, _}. */
async function booted(host: Host): Promise<boolean> {
  if (!(await host.nodeUp())) return false;
  const s = await host.call({ op: 'boot_status' }, 10_000);
  return s.kind === 'tuple' && s.items[0] !== undefined && atomOf(s.items[0]) === 'started';
}

/** What the host runs now and boots next, read back from it, for failure reports. */
export interface HostNow {
  /** The release the live node runs (null: down, or could not be asked). */
  runs: string | null;
  /** The release start_erl.data names: what a restart boots. */
  boots: string | null;
  /** One sentence saying so. */
  text: string;
}

export async function readHostNow(host: Host): Promise<HostNow> {
  const live = await readLive(host).catch((e: unknown) => ({ up: false as const, reason: (e as Error).message }));
  const path = startErlDataPath(host.root);
  const boots = await host.read(path).then((t) => (t ? parseStartErlData(t, path).vsn : null), () => null);
  const bootsText = boots ? `a restart boots ${boots}` : 'what a restart boots could not be read';
  if (!live.up) return { runs: null, boots, text: `the node is not answering (${live.reason}); ${bootsText}` };
  const current = live.releases.find((r) => r.status === 'current')?.vsn;
  const permanent = live.releases.find((r) => r.status === 'permanent')?.vsn ?? null;
  const runs = current ?? permanent;
  const how = current && current !== permanent ? 'installed but not permanent' : 'permanent';
  return { runs, boots, text: `the node now runs ${runs ?? 'no known release'}, ${how}: ${bootsText}` };
}
