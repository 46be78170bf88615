/**
 * The hot path on one host, through release_handler on the live node:
 * unpack → check_install → install, then (once the caller's health check has
 * passed) make_permanent → verify. Until make_permanent a restart boots the
 * release that was permanent before, so a failure or an interruption in
 * between never leaves an unchecked release to boot. Each step first looks at
 * what the node already has, so running it again is safe. Going back (a
 * downgrade, or a rollback to the permanent release) is the same path: the
 * running release's relup holds the way down.
 */
import { beforeAnyChange, HotupError, isHotupError } from '../errors.js';
import { releasesFilePath, startErlDataPath } from '../commands/release-paths.js';
import { promoteScriptArgv } from '../commands/restart.js';
import type { ReleasesEntry } from '../terms/model.js';
import type { Emit } from '../core/events.js';
import { runStep } from '../core/step.js';
import type { Host } from '../host/host.js';
import { checkInstall, install, makePermanent, refused, STILL_OLD, whichReleases, type RhReply } from './release-handler.js';
import { bootstrapReleases, unpackOnNode } from './unpack.js';
import { reportsStarted, waitForNode } from './live.js';
import { runningOf } from '../plan/host-status.js';
import { readReleasesFile, readStartErl } from './discover.js';
import { describeProblem, notLive, readCode } from './verify-code.js';
import { changedKeys, describeChanges, evaluateRuntimeConfig, hasProviders, restoreBuildConfig } from './runtime-config.js';

function statusOf(releases: ReleasesEntry[], vsn: string): ReleasesEntry['status'] | undefined {
  return releases.find((r) => r.vsn === vsn)?.status;
}

/**
 * BEFORE_INSTALL: called before the install, the first step that changes what the node runs (a stop
 * point, and apply's last look at the live node); it may refuse by throwing.
 */
export async function hotInstall(host: Host, vsn: string, emit: Emit, nodeWaitMs = 60_000, beforeInstall: () => void | Promise<void> = () => undefined): Promise<void> {
  const name = host.name;
  await runStep(emit, 'bootstrap', name, () => bootstrapReleases(host));
  // A node that does not answer here was not touched: it is not started, nor rolled back (it may be stopped on purpose).
  const releases = await whichReleases(host).catch((e: unknown) => {
    if (isHotupError(e) && e.code === 'NODE_DOWN') {
      throw new HotupError('NODE_DOWN', `${e.message}: a hot upgrade needs the running node`,
        `Nothing was changed. Start the node (bin/${host.app} daemon, or its service) and apply again, or apply with --restart to boot ${vsn}.`,
        { host: name, cause: e, untouched: true });
    }
    throw e;
  });
  const status = statusOf(releases, vsn);
  // The permanent release runs only while no other is current: going back to it after a
  // failed make_permanent is an install like any other.
  const runs = runningOf(releases);

  await runStep(emit, 'unpack', name, () => unpackOnNode(host, vsn, status));

  const alreadyRunning = runs === vsn;
  // A mix release's runtime.exs evaluated on the host, so install hands config_change/3 what a boot would.
  // Nothing is installed yet: whatever fails here leaves the node as it was.
  const providers = await hasProviders(host, vsn);
  if (providers && !alreadyRunning) {
    await beforeAnyChange(() => runStep(emit, 'runtime_config', name, async () => {
      const ev = await evaluateRuntimeConfig(host, vsn);
      if (!ev) return { value: undefined, skipped: true, detail: 'no config providers (config/runtime.exs)' };
      const changed = await changedKeys(host, ev).catch(async (e: unknown) => {
        await restoreBuildConfig(host, vsn);
        throw e;
      });
      return { value: undefined, detail: `config/runtime.exs of ${vsn} evaluated on the host for install; ${describeChanges(changed)}` };
    }));
  }
  try {
    await installSteps(host, vsn, emit, nodeWaitMs, beforeInstall, alreadyRunning, status);
  } finally {
    // The next boot evaluates runtime.exs itself, from Mix's own sys.config (also when an apply cut off after
    // its install is resumed here: the evaluated file it left is put back now).
    if (providers) {
      await restoreBuildConfig(host, vsn).catch((e: unknown) => emit({ type: 'log', level: 'warn', host: name, message: (e as Error).message }));
    }
  }

  // What ran before: after a resumed install, the permanent release.
  const before = runs !== vsn ? runs : releases.find((r) => r.status === 'permanent' && r.vsn !== vsn)?.vsn;
  await runStep(emit, 'verify_code', name, async () => {
    if (!before) return { value: undefined, skipped: true, detail: 'no earlier release to compare with' };
    const reading = await readCode(host, vsn, before);
    const dead = notLive(reading);
    if (dead.length > 0) {
      throw new HotupError('VERIFY_FAILED', `release_handler installed ${vsn}, but its code is not what the node runs: ${dead.slice(0, 5).map(describeProblem).join('; ')}${dead.length > 5 ? ` (and ${dead.length - 5} more)` : ''}`,
        'The relup does not load every changed module (see `hotup inspect` for module/not-loaded), or a directory outside the release shadows it on the code path; fix that and apply again, or apply with --restart.',
        { host: name });
    }
    for (const p of reading.problems) emit({ type: 'log', level: 'warn', host: name, message: describeProblem(p) });
    return { value: undefined, detail: `${reading.checked} module${reading.checked === 1 ? '' : 's'} of the changed applications run ${vsn}'s bytes` };
  });
}

/** check_install → (stop point) → install. */
async function installSteps(host: Host, vsn: string, emit: Emit, nodeWaitMs: number, beforeInstall: () => void, alreadyRunning: boolean,
  status: ReleasesEntry['status'] | undefined): Promise<void> {
  const name = host.name;
  await runStep(emit, 'check_install', name, async () => {
    if (alreadyRunning) return { value: undefined, skipped: true, detail: `${vsn} is already ${status}` };
    const r = await checkInstall(host, vsn);
    if (!r.ok) throw refused(name, `release_handler:check_install_release("${vsn}")`, r,
      `${STILL_OLD} The release is unpacked; fix what the check names (often processes still running old code of a module) and apply again.`, true);
    return { value: undefined };
  });

  if (!alreadyRunning) await beforeInstall();
  await runStep(emit, 'install', name, async () => {
    if (alreadyRunning) return { value: undefined, skipped: true, detail: `${vsn} is already ${status}` };
    let r: RhReply;
    try {
      r = await install(host, vsn);
    } catch (e) {
      // Past its point of no return release_handler restarts a node whose relup fails; without the link nothing can be said.
      if (isHotupError(e) && e.code === 'LINK_LOST') throw e;
      throw await afterLostNode(host, vsn, e, nodeWaitMs, `the node stopped answering during release_handler:install_release("${vsn}")`);
    }
    if (!r.ok) {
      // The same {error, Reason} comes back from a refusal before the point of no return and from a failure
      // after it (a code_change that crashes), after which release_handler restarts the node: ask which.
      if (!(await stillStarted(host))) {
        throw await afterLostNode(host, vsn, new HotupError('UPGRADE_FAILED', r.reply, ''), nodeWaitMs,
          `release_handler:install_release("${vsn}") failed after the point of no return (${r.reply}), and release_handler restarted the node: the state its processes held in memory is lost`,
          r.reply.includes('code_change_failed') ? 'A code_change/3 crashed on the state a live process holds (see the reply): make it handle that state, then apply again.' : undefined);
      }
      throw refused(name, `release_handler:install_release("${vsn}")`, r,
        `${STILL_OLD} release_handler refused before the point of no return; fix what the reply names and apply again.`, true);
    }
    return { value: undefined, detail: `now running ${vsn}` };
  });
}

/** make_permanent → bin/<app> promoted → verify: VSN, running and checked, is what the node boots from now on. */
export async function settle(host: Host, vsn: string, emit: Emit): Promise<void> {
  const name = host.name;
  await runStep(emit, 'make_permanent', name, async () => {
    const status = statusOf(await whichReleases(host), vsn);
    if (status === 'permanent') return { value: undefined, skipped: true, detail: `${vsn} is already permanent` };
    const r = await makePermanent(host, vsn);
    if (!r.ok) throw refused(name, `release_handler:make_permanent("${vsn}")`, r,
      `The node runs ${vsn} but would boot the previous release after a restart; run apply again to make it permanent.`, false);
    await promoteScript(host, vsn);
    return { value: undefined };
  });

  await runStep(emit, 'verify', name, async () => {
    await verifyPermanent(host, vsn);
    return { value: undefined, detail: `${vsn} permanent; start_erl.data names it` };
  });
}

/** bin/<app> becomes VSN's start script (see promoteScriptArgv). */
export async function promoteScript(host: Host, vsn: string): Promise<void> {
  await host.must(promoteScriptArgv(host.root, host.app, vsn), `installing bin/${host.app}-${vsn} as bin/${host.app}`, {
    timeoutMs: 30_000,
    remedy: `Copy it by hand, or the next restart boots an older release: cp ${host.root}/bin/${host.app}-${vsn} ${host.root}/bin/${host.app}`,
  });
}

/**
 * Whether the node is still the one that answered install_release, running. release_handler calls
 * init:restart() right after it replies to a failed install: that reaches init before any later
 * request of ours, so a node that still reports {started, _} was not restarted.
 */
function stillStarted(host: Host): Promise<boolean> {
  return reportsStarted(host).catch((e: unknown) => {
    if (isHotupError(e) && e.code === 'LINK_LOST') throw e;
    return false;
  });
}

/** What the node runs after WHAT happened during install_release, as an error that says so. */
async function afterLostNode(host: Host, vsn: string, cause: unknown, nodeWaitMs: number, what: string, why?: string): Promise<HotupError> {
  if (await waitForNode(host, nodeWaitMs)) {
    const runs = runningOf(await whichReleases(host)) ?? 'an unknown release';
    return new HotupError('UPGRADE_FAILED', `${what}; it came back and runs ${runs}`,
      runs === vsn ? 'The new release runs but is not permanent: run apply again to finish.' : `The upgrade did not happen; the node serves ${runs}. ${why ?? 'Look at its logs for why the relup failed, then apply again.'}`,
      { host: host.name, cause });
  }
  const boots = (await readStartErl(host).catch(() => null))?.vsn ?? 'unknown';
  return new HotupError('NODE_DOWN', `${what} and did not come back within ${Math.round(nodeWaitMs / 1000)} s; start_erl.data says it boots ${boots} next`,
    `Start the node (or let its supervisor do it); it comes up on ${boots}. Then run \`hotup status\`.`, { host: host.name, cause });
}

/** which_releases shows VSN permanent, and start_erl.data names it for the next boot. */
export async function verifyPermanent(host: Host, vsn: string): Promise<void> {
  const status = statusOf(await whichReleases(host), vsn);
  if (status !== 'permanent') {
    throw new HotupError('VERIFY_FAILED', `the node reports ${vsn} as ${status ?? 'not installed'}, not permanent`,
      'Run `hotup status` to see the node\'s release table.', { host: host.name });
  }
  const path = startErlDataPath(host.root);
  const named = (await readStartErl(host))?.vsn ?? null;
  if (named !== vsn) {
    throw new HotupError('VERIFY_FAILED', `${path} names ${named ?? 'nothing'}, not ${vsn}: the next boot would start another release`,
      `Write "<erts> ${vsn}" into ${path} (release_handler does this on make_permanent when the file is writable).`, { host: host.name });
  }
  const onDisk = (await readReleasesFile(host))?.find((r) => r.vsn === vsn)?.status;
  if (onDisk !== 'permanent') {
    throw new HotupError('VERIFY_FAILED', `${releasesFilePath(host.root)} marks ${vsn} ${onDisk ?? 'absent'}, not permanent, while the node says permanent`,
      `release_handler writes RELEASES on make_permanent: check that ${releasesFilePath(host.root)} is writable, then apply again.`, { host: host.name });
  }
}
