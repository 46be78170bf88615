/** The release production runs, as the build needs it: its facts, or the release itself. */
import { isHotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import type { HostStatus } from '../node/discover.js';
import { buildHostFacts, hostFacts } from '../helper/facts.js';
import type { HelperHost } from '../helper/run.js';
import { fetchOldRelease } from '../build/fetch-old.js';
import type { ReleaseFacts } from '../terms/model.js';
import type { PlanReason } from '../plan/types.js';
import { runStep } from './step.js';
import { environment, nodeTarget, type CoreContext } from './context.js';

/** The running release's facts from the first host that can give them, else the build host's copy. */
export async function runningFacts(ctx: CoreContext, envName: string, statuses: HostStatus[], running: string,
  helper: HelperHost, relDir: string): Promise<{ facts: ReleaseFacts | null; notes: PlanReason[] }> {
  const env = environment(ctx.config, envName);
  const first = statuses.find((s) => s.startErl);
  const spec = env.hosts.find((h) => h.raw === first?.host);
  if (first?.startErl && spec) {
    try {
      const node = await nodeTarget(ctx, env, spec);
      return { facts: await hostFacts(node.exec, node.root, first.startErl.erts, running), notes: [] };
    } catch (e) {
      if (!isHotupError(e)) throw e;
      ctx.emit({ type: 'log', level: 'warn', host: first.host, message: `could not read release ${running} there: ${e.message}` });
    }
  }
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
    const node = await nodeTarget(ctx, env, env.hosts.find((h) => h.raw === source.host)!);
    await fetchOldRelease(node, row, build);
    return { value: undefined, detail: `release ${running} brought from the host into ${build.relDir}` };
  });
}

