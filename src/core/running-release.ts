/** The release production runs, as the build needs it: its facts, or the release itself. */
import { isHotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import type { HostStatus } from '../node/discover.js';
import { buildHostFacts, FACTS_TIMEOUT_MS } from '../helper/facts.js';
import { parseReleaseFacts } from '../terms/facts.js';
import type { HelperHost } from '../helper/run.js';
import { fetchOldRelease } from '../build/fetch-old.js';
import type { ReleaseFacts } from '../terms/model.js';
import type { PlanReason } from '../plan/types.js';
import { runStep } from './step.js';
import { environment, hostNamed, type CoreContext } from './context.js';

export type OldFacts = { facts: ReleaseFacts | null; notes: PlanReason[] };

/**
 * The running release's facts as the first host that can give them has it, on
 * the host with the release's own ERTS (a rebuilt copy on the build host can
 * differ); null, with a warning, when none can. Needs no build, so it runs
 * while the build does.
 */
export async function hostRunningFacts(ctx: CoreContext, envName: string, statuses: HostStatus[], running: string): Promise<ReleaseFacts | null> {
  const env = environment(ctx.config, envName);
  const first = statuses.find((s) => s.startErl);
  if (!first || !env.hosts.some((h) => h.raw === first.host)) return null;
  try {
    const host = await hostNamed(ctx, env, first.host);
    return parseReleaseFacts(await host.helper('facts', [host.root, running], FACTS_TIMEOUT_MS));
  } catch (e) {
    if (!isHotupError(e)) throw e;
    ctx.emit({ type: 'log', level: 'warn', host: first.host, message: `could not read release ${running} there: ${e.message}` });
    return null;
  }
}

/** The host's facts when there are some, else the build host's copy of the running release (said in a note). */
export async function runningFacts(fromHost: Promise<ReleaseFacts | null>, helper: HelperHost, relDir: string, running: string): Promise<OldFacts> {
  const facts = await fromHost;
  if (facts) return { facts, notes: [] };
  try {
    return {
      facts: await buildHostFacts(helper, relDir, running),
      notes: [{
        rule: 'release/old-facts-from-build',
        severity: 'info',
        effect: 'none',
        message: `release ${running} was compared as the build host has it, not as the hosts run it`,
        remedy: 'If the build host rebuilt that version since, changed modules can be missed; let hotup read a host.',
      }],
    };
  } catch (e) {
    if (!isHotupError(e)) throw e;
    return { facts: null, notes: [] };
  }
}

/**
 * The build host lacks the running release (a fresh CI checkout): bring it
 * from a production host that has it, so the relup can be made from it.
 */
export async function fetchRunningRelease(ctx: CoreContext, envName: string, statuses: HostStatus[], running: string, build: { exec: Executor; relDir: string }): Promise<void> {
  const env = environment(ctx.config, envName);
  const source = statuses.find((s) => s.releasesFile?.some((r) => r.vsn === running && r.erts));
  const row = source?.releasesFile?.find((r) => r.vsn === running);
  // Without a source, the relup step says what is missing and how to build it.
  if (!source || !row) return;
  await runStep(ctx.emit, 'fetch_old', source.host, async () => {
    await fetchOldRelease(await hostNamed(ctx, env, source.host), row, build);
    return { value: undefined, detail: `release ${running} brought from the host into ${build.relDir}` };
  });
}

