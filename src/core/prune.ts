/**
 * `hotup prune <env>`: old releases removed from every host through release_handler on the live
 * node, never the running, permanent or previous one; what was removed and the disk it freed read
 * back from the host. Also run by apply after a successful upgrade when the environment says `prune:`.
 */
import { HotupError } from '../errors.js';
import type { EnvironmentConfig } from '../config/types.js';
import { diskUsageArgv, parseDiskUsage } from '../commands/disk.js';
import { journaling, type JournalHost } from '../host/journal.js';
import type { Host } from '../host/host.js';
import { removeRelease, whichReleases } from '../node/release-handler.js';
import { discoverHost, type HostStatus } from '../node/discover.js';
import type { ReleasesEntry } from '../terms/model.js';
import { choosePrune, ownedPaths, type PruneChoice } from '../plan/prune.js';
import { runningOf } from '../plan/host-status.js';
import { previousRelease } from './downgrade.js';
import { withDeployLock } from './guard.js';
import { runStep } from './step.js';
import { environment, type CoreContext } from './context.js';
import { discoverEnvironment } from './status.js';
import type { Emit } from './events.js';

export interface PruneHostResult extends PruneChoice {
  host: string;
  /** Removed from the host, read back from which_releases (empty for a dry run). */
  removed: string[];
  /** Bytes freed, measured with du before and after (for a dry run: what removing would free). */
  bytes: number;
  /** The releases the node reports afterwards, newest first. */
  releases: Array<{ vsn: string; status: string }>;
}

export interface PruneResult {
  environment: string;
  keep: number;
  dryRun: boolean;
  hosts: PruneHostResult[];
}

async function diskUsage(host: Host, paths: string[]): Promise<number> {
  if (paths.length === 0) return 0;
  return parseDiskUsage((await host.must(diskUsageArgv(paths), 'measuring the releases\' disk use', { timeoutMs: 60_000 })).stdout);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The live node's release table; the node must be up: release_handler:remove_release runs on it. */
function liveReleases(s: HostStatus, app: string): ReleasesEntry[] {
  if (s.live.up) return s.live.releases;
  throw new HotupError('NODE_DOWN', `the node on ${s.host} is down (${s.live.reason}): release_handler removes releases only on a live node`,
    `Start it (bin/${app} daemon, or its service), then run hotup prune again. Nothing was removed on any host.`, { host: s.host, untouched: true });
}

/** Prune one host whose status S (and live RELEASES) was just read. */
async function pruneHost(host: Host, s: HostStatus, releases: ReleasesEntry[], keep: number, dryRun: boolean, emit: Emit): Promise<PruneHostResult> {
  return runStep(emit, 'prune', host.name, async () => {
    const choice = choosePrune(releases, { running: runningOf(releases), permanent: s.permanent, previous: previousRelease(s) }, keep);
    const paths = ownedPaths(host.root, releases, choice.remove);
    const before = await diskUsage(host, paths);
    const keptText = choice.kept.map((k) => `${k.vsn} (${k.why.join(', ')})`).join(', ');
    const asListed = (rs: typeof releases) => rs.map((r) => ({ vsn: r.vsn, status: r.status }));
    if (dryRun || choice.remove.length === 0) {
      return {
        value: { host: host.name, ...choice, removed: [], bytes: dryRun ? before : 0, releases: asListed(releases) },
        skipped: true,
        detail: choice.remove.length === 0 ? `nothing to remove; kept ${keptText}` : `would remove ${choice.remove.join(', ')} (${mb(before)}); kept ${keptText}`,
      };
    }
    const done: string[] = [];
    for (const vsn of choice.remove) {
      const r = await removeRelease(host, vsn);
      if (!r.ok) {
        throw new HotupError('CALL_FAILED', `release_handler:remove_release("${vsn}") returned ${r.reply}${done.length ? `; removed before it: ${done.join(', ')}` : '; nothing was removed'}`,
          'The release stays installed; `hotup status` shows the release table. Remove it by hand on the node if it must go.', { host: host.name });
      }
      done.push(vsn);
    }
    // Read back: the node's table and the disk, not remove_release's ok.
    const after = await whichReleases(host);
    const left = choice.remove.filter((v) => after.some((r) => r.vsn === v));
    const lost = choice.kept.filter((k) => !after.some((r) => r.vsn === k.vsn)).map((k) => k.vsn);
    if (left.length || lost.length) {
      throw new HotupError('VERIFY_FAILED', `after prune the node ${left.length ? `still lists ${left.join(', ')}` : ''}${left.length && lost.length ? ' and ' : ''}${lost.length ? `no longer lists ${lost.join(', ')}` : ''}`,
        'Run `hotup status` to see the release table.', { host: host.name });
    }
    const bytes = before - (await diskUsage(host, paths));
    return {
      value: { host: host.name, ...choice, removed: choice.remove, bytes, releases: asListed(after) },
      detail: `removed ${choice.remove.join(', ')} (${mb(bytes)} freed); kept ${keptText}`,
    };
  });
}

/** After a successful apply on HOST (the caller journals): prune as the environment's `prune:` says. */
export async function pruneAfterApply(host: Host, keep: number, emit: Emit): Promise<PruneHostResult> {
  const s = await discoverHost(host);
  return pruneHost(host, s, liveReleases(s, host.app), keep, false, emit);
}

export async function runPrune(ctx: CoreContext, envName: string, opts: { keep: number; dryRun: boolean }): Promise<PruneResult> {
  const env: EnvironmentConfig = environment(ctx.config, envName);
  const body = async (): Promise<PruneResult> => {
    const [hosts, statuses] = await Promise.all([Promise.all(env.hosts.map((spec) => ctx.host(env, spec))), discoverEnvironment(ctx, envName)]);
    // Every node up before anything is removed anywhere.
    const tables = statuses.map((s) => liveReleases(s, ctx.config.app));
    const byName = new Map<string, JournalHost>(statuses.map((s, i) => [s.host, { host: hosts[i]!, from: s.running, to: s.running }]));
    const j = journaling(ctx.emit, envName, (h) => (opts.dryRun ? undefined : byName.get(h)));
    const results: PruneHostResult[] = [];
    try {
      for (const [i, h] of hosts.entries()) results.push(await pruneHost(h, statuses[i]!, tables[i]!, opts.keep, opts.dryRun, j.emit));
    } finally {
      await j.flush();
    }
    return { environment: envName, keep: opts.keep, dryRun: opts.dryRun, hosts: results };
  };
  return opts.dryRun ? body() : withDeployLock(ctx, envName, `hotup prune ${envName}`, () => body());
}
