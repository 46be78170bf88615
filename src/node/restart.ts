/**
 * The restart path: make VSN the release the node boots (RELEASES and
 * start_erl.data), restart the node into it, and measure the downtime.
 */
import { HotupError, isHotupError } from '../errors.js';
import { shippedTarballPath } from '../commands/release-paths.js';
import { testFileArgv } from '../commands/files.js';
import { daemonArgv, extractTarballArgv, restartCommandArgv, stopArgv } from '../commands/restart.js';
import type { RestartConfig } from '../config/types.js';
import type { Emit } from '../core/events.js';
import { runStep } from '../core/step.js';
import { seconds } from '../report/style.js';
import type { Host } from '../host/host.js';
import { measureOutage } from '../health/outage.js';
import { runningOf, type LiveReading } from '../plan/host-status.js';
import { readLive, waitForNode, waitForNodeGone } from './live.js';
import { checkSudo, restartUnit } from './systemd.js';
import { bootstrapReleases, unpackOnNode } from './unpack.js';
import { promoteScript, verifyPermanent } from './upgrade.js';

export interface RestartOptions {
  /** A systemd unit or a command; without it, `bin/<app> stop` then `bin/<app> daemon`. */
  restart?: RestartConfig;
  /** How long the node may take to answer after the restart. */
  nodeWaitMs: number;
  /** Probe used to time the outage; the node's own ping when absent. */
  probe?: () => Promise<boolean>;
  /** A tarball of the release was shipped for this restart: with the node down, it is unpacked over an earlier build. */
  shipped: boolean;
  /** Called before set_boot, the first step that changes what the node boots (a stop point). */
  beforeChange?: () => void;
}

/**
 * The node's release table, where a node whose release_handler does not answer counts as down: around a
 * restart that is a VM still booting or already stopping (a release that crashes at boot), not one to use.
 */
async function liveOrDown(host: Host): Promise<LiveReading> {
  return readLive(host).catch((e: unknown) => {
    if (isHotupError(e) && e.code === 'CALL_FAILED') return { up: false as const, reason: e.message };
    throw e;
  });
}

/** `bin/<app> stop` (when the node is up), then `bin/<app> daemon`. */
async function stopAndStart(host: Host, opts: RestartOptions): Promise<void> {
  const scriptOpts = { env: host.env, timeoutMs: 2 * 60_000 };
  // A node that is already down has nothing to stop.
  if (await host.nodeUp()) {
    await host.must(stopArgv(host.root, host.app), `bin/${host.app} stop`, scriptOpts);
    // Mix's `stop` returns before the VM has exited: a daemon started now would find its name taken.
    if (!(await waitForNodeGone(host, opts.nodeWaitMs))) {
      throw new HotupError('NODE_DOWN', `the node still holds its name ${Math.round(opts.nodeWaitMs / 1000)} s after bin/${host.app} stop`,
        'Stop it by hand (bin/<app> stop, or kill its VM), then apply again.', { host: host.name });
    }
  }
  await host.must(daemonArgv(host.root, host.app), `bin/${host.app} daemon`, scriptOpts);
}

/** Restarts the node the configured way; resolves with the release it runs, read back once it has started. */
async function restartNode(host: Host, opts: RestartOptions): Promise<string | null> {
  const how = opts.restart;
  if (how?.kind === 'systemd') await restartUnit(host, how, opts.nodeWaitMs);
  else {
    if (how?.kind === 'command') await host.must(restartCommandArgv(how.command), `\`${how.command}\``, { env: host.env, timeoutMs: 5 * 60_000 });
    else await stopAndStart(host, opts);
    if (!(await waitForNode(host, opts.nodeWaitMs))) {
      throw new HotupError('NODE_DOWN', `the node did not answer within ${Math.round(opts.nodeWaitMs / 1000)} s of the restart`,
        'Its release may crash at boot: look at the node\'s logs (log/ under deploy_to, or the service\'s journal).', { host: host.name });
    }
  }
  const live = await liveOrDown(host);
  return live.up ? runningOf(live.releases) : null;
}

/** Restart into VSN (already shipped or installed on the host). Returns the measured downtime. */
export async function restartInto(host: Host, vsn: string, opts: RestartOptions, emit: Emit): Promise<number> {
  const name = host.name;
  if (opts.restart?.kind === 'systemd') await checkSudo(host, opts.restart);
  const live = await liveOrDown(host);
  if (live.up) await runStep(emit, 'bootstrap', name, () => bootstrapReleases(host));
  await runStep(emit, 'unpack', name, async () => {
    if (live.up) return unpackOnNode(host, vsn, live.releases.find((r) => r.vsn === vsn)?.status);
    // No node to ask: an installed release has its boot script (unless a tarball of it was just shipped);
    // otherwise unpack the shipped tarball ourselves (set-boot then records it in RELEASES).
    if (!opts.shipped && (await host.run(testFileArgv(`${host.root}/releases/${vsn}/start.boot`), { timeoutMs: 30_000 })).code === 0) {
      return { value: undefined, skipped: true, detail: `${vsn} is installed (node down)` };
    }
    const tarball = shippedTarballPath(host.root, vsn, host.app);
    if ((await host.run(testFileArgv(tarball), { timeoutMs: 30_000 })).code !== 0) {
      throw new HotupError('NOT_INSTALLED', `release ${vsn} is neither installed nor shipped to this host`, 'Run `hotup apply` to ship it first.', { host: name });
    }
    await host.must(extractTarballArgv(tarball, host.root, host.app), `unpacking ${tarball}`, { timeoutMs: 5 * 60_000 });
    return { value: undefined, detail: `${vsn} unpacked from the tarball (node down)` };
  });
  opts.beforeChange?.();
  await runStep(emit, 'set_boot', name, async () => {
    await host.helper('set-boot', [host.root, vsn]);
    await promoteScript(host, vsn);
    return { value: undefined, detail: `RELEASES, start_erl.data and bin/${host.app} name ${vsn}` };
  });
  const downtimeMs = await runStep(emit, 'restart', name, async () => {
    let runs: string | null = null;
    // A service that does not come back within the node's own wait will not be timed any longer.
    const outage = await measureOutage(opts.probe ?? (() => host.nodeUp()), async () => { runs = await restartNode(host, opts); }, { settleMs: opts.nodeWaitMs });
    const via = opts.restart?.kind === 'systemd' ? ` (systemctl restart ${opts.restart.unit})` : '';
    return { value: outage.downtimeMs, detail: `node back${via} running ${runs ?? 'no known release'}, downtime ${seconds(outage.downtimeMs)}` };
  });
  await runStep(emit, 'verify', name, async () => {
    await verifyPermanent(host, vsn);
    return { value: undefined, detail: `${vsn} permanent; start_erl.data names it` };
  });
  return downtimeMs;
}
