/** Reads what a host runs: start_erl.data, RELEASES, and the live node. */
import { HotupError, isHotupError } from '../errors.js';
import { releasesFilePath, startErlDataPath } from '../commands/release-paths.js';
import { parseStartErlData, type StartErlData } from '../terms/start-erl.js';
import { parseReleasesFile } from '../terms/releases.js';
import { assessHost, type HostStatus, type LiveReading } from '../plan/host-status.js';
import { readLiveReleases, type NodeTarget } from './live.js';
import { runHelper, type HelperHost } from '../helper/run.js';
import { readRemoteFile } from '../host/remote-file.js';

export type { HostStatus } from '../plan/host-status.js';

export interface DiscoverContext {
  node: NodeTarget;
  /** Where the Erlang helper runs to decode term files (the build host has Erlang). */
  helper: HelperHost;
}

async function readStartErl(ctx: DiscoverContext): Promise<StartErlData | null> {
  const path = startErlDataPath(ctx.node.root);
  const text = await readRemoteFile(ctx.node.exec, path);
  return text === null ? null : parseStartErlData(text, path);
}

async function readReleasesFile(ctx: DiscoverContext) {
  const text = await readRemoteFile(ctx.node.exec, releasesFilePath(ctx.node.root));
  if (text === null) return null;
  return parseReleasesFile(await runHelper(ctx.helper.exec, ctx.helper.dir, 'consult', ['-'], { stdin: text }));
}

export async function readLive(node: NodeTarget): Promise<LiveReading> {
  try {
    return { up: true, releases: await readLiveReleases(node) };
  } catch (e) {
    if (isHotupError(e) && e.code === 'NODE_DOWN') return { up: false, reason: e.message };
    throw e;
  }
}

export async function discoverHost(ctx: DiscoverContext): Promise<HostStatus> {
  const host = ctx.node.exec.target;
  const [startErl, releasesFile, live] = await Promise.all([readStartErl(ctx), readReleasesFile(ctx), readLive(ctx.node)]);
  if (startErl === null && releasesFile === null && !live.up) {
    throw new HotupError(
      'NOT_A_RELEASE',
      `no release found under ${ctx.node.root}: no releases/start_erl.data, no releases/RELEASES, and no node answering`,
      'Check deploy_to for this environment: it must be the release root holding bin/, lib/ and releases/.',
      { host },
    );
  }
  return assessHost({ host, startErl, releasesFile, live });
}
