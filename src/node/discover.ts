/** Reads what a host runs: start_erl.data, RELEASES, and the live node. */
import { HotupError } from '../errors.js';
import { releasesFilePath, startErlDataPath } from '../commands/release-paths.js';
import { parseStartErlData, type StartErlData } from '../terms/start-erl.js';
import { parseReleasesFile } from '../terms/releases.js';
import { assessHost, runningOf, type HostStatus } from '../plan/host-status.js';
import type { Host } from '../host/host.js';
import { readLive } from './live.js';

export type { HostStatus } from '../plan/host-status.js';

export async function readStartErl(host: Host): Promise<StartErlData | null> {
  const path = startErlDataPath(host.root);
  const text = await host.read(path);
  return text === null ? null : parseStartErlData(text, path);
}

/** RELEASES, decoded on the host by its session. */
export async function readReleasesFile(host: Host) {
  const terms = await host.terms(releasesFilePath(host.root));
  return terms === null ? null : parseReleasesFile({ kind: 'list', items: terms });
}

export async function discoverHost(host: Host): Promise<HostStatus> {
  const [startErl, releasesFile, live] = await Promise.all([readStartErl(host), readReleasesFile(host), readLive(host)]);
  if (startErl === null && releasesFile === null && !live.up) {
    throw new HotupError(
      'NOT_A_RELEASE',
      `no release found under ${host.root}: no releases/start_erl.data, no releases/RELEASES, and no node answering`,
      'Check deploy_to for this environment: it must be the release root holding bin/, lib/ and releases/.',
      { host: host.name },
    );
  }
  return assessHost({ host: host.name, startErl, releasesFile, live });
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

/** Never fails: what cannot be read is said to be unknown. */
export async function readHostNow(host: Host): Promise<HostNow> {
  const live = await readLive(host).catch((e: unknown) => ({ up: false as const, reason: (e as Error).message }));
  const boots = (await readStartErl(host).catch(() => null))?.vsn ?? null;
  const bootsText = boots ? `a restart boots ${boots}` : 'what a restart boots could not be read';
  if (!live.up) return { runs: null, boots, text: `the node is not answering (${live.reason}); ${bootsText}` };
  const runs = runningOf(live.releases);
  const permanent = live.releases.find((r) => r.status === 'permanent')?.vsn ?? null;
  const how = runs !== permanent ? 'installed but not permanent' : 'permanent';
  return { runs, boots, text: `the node now runs ${runs ?? 'no known release'}, ${how}: ${bootsText}` };
}
