/**
 * The live facts `plan` reads from every running node it would upgrade (read only, bounded), and
 * apply's read of them again just before install.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAnyChange, HotupError, isHotupError } from '../errors.js';
import type { Host } from '../host/host.js';
import { hostBeams, readLiveFacts, unpackedTargets, type BeamSource } from '../node/live-facts.js';
import { STILL_OLD } from '../node/release-handler.js';
import type { HostPlan, PlanReason, UpgradePlan } from '../plan/types.js';
import type { HostStatus } from '../node/discover.js';
import type { Executor } from '../remote/executor.js';
import { scratchDir } from '../scratch.js';
import type { RelupPath } from '../terms/model.js';
import { liveTargets, type LiveTarget } from '../validate/live-targets.js';
import { expectedPauseMs, liveNotChecked } from '../validate/live.js';
import { environment, hostNamed, type CoreContext } from './context.js';
import { runStep } from './step.js';

/**
 * The build's beams of a module: the release's (its code is what gets loaded) and the compiler's output
 * beside it (`_build/<profile>/lib/<app>/ebin`, rebar3 and mix alike), which keeps the debug_info a
 * prod release strips; the session uses the second only when its code is the same.
 */
export function buildBeams(exec: Executor, relDir: string, remote: boolean): BeamSource {
  // Read once however many hosts ask (a remote build host's are downloaded once).
  const seen = new Map<string, Promise<string | null>>();
  const load = async (file: string): Promise<string | null> => {
    try {
      if (!remote) return (await readFile(file)).toString('base64');
      const local = path.join(await scratchDir('hotup-beam-'), path.posix.basename(file));
      await exec.download(file, local);
      return (await readFile(local)).toString('base64');
    } catch {
      return null; // not built there: the other candidate, or no rehearsal (said by live/not-checked)
    }
  };
  const read = (file: string) => {
    if (!seen.has(file)) seen.set(file, load(file));
    return seen.get(file)!;
  };
  const join = remote ? path.posix.join : path.join;
  return {
    beams: async (t: LiveTarget) => {
      if (!t.app || !t.vsn) return [];
      const files = [join(relDir, 'lib', `${t.app}-${t.vsn}`, 'ebin', `${t.module}.beam`), join(relDir, '..', '..', 'lib', t.app, 'ebin', `${t.module}.beam`)];
      return (await Promise.all(files.map(read))).filter((b): b is string => b !== null);
    },
    paths: () => [],
  };
}

/**
 * The build's beams behind a plan this process made: apply runs right after its plan, and rehearses with
 * the same debug_info (a plan read from elsewhere has none, and apply uses the host's beams alone).
 */
const planBeams = new WeakMap<UpgradePlan, BeamSource>();

export function rememberBeams(plan: UpgradePlan, beams: BeamSource): void {
  planBeams.set(plan, beams);
}

/** Per host that runs and would move: the live findings, or a note saying why they could not be read. */
export async function planLive(ctx: CoreContext, envName: string, statuses: HostStatus[], target: string, up: RelupPath | undefined, beams: BeamSource): Promise<Map<string, PlanReason[]>> {
  const env = environment(ctx.config, envName);
  const targets = up ? liveTargets(up) : [];
  const read = statuses.filter((s) => s.live.up && s.running !== target && targets.length > 0);
  // Each host's read is its own round trip: all at once, as discovery is.
  const found = await Promise.all(read.map(async (s) => {
    const host = await hostNamed(ctx, env, s.host);
    return runStep(ctx.emit, 'live_facts', s.host, async () => {
      try {
        const r = await readLiveFacts(host, targets, beams);
        return { value: r.findings as PlanReason[], detail: r.summary };
      } catch (e) {
        // A node that cannot answer this read still gets its plan; it says what was not checked.
        if (!isHotupError(e) || (e.code !== 'CALL_FAILED' && e.code !== 'TERM_DECODE')) throw e;
        return { value: [liveNotChecked(e.message)], skipped: true, detail: e.message };
      }
    });
  }));
  return new Map(read.map((s, i) => [s.host, found[i]!]));
}

/**
 * apply's last look before install, with the beams the unpack put on the host: a state or a process
 * that changed since the plan is judged again. A finding that rules hot out and that the plan did not
 * show (so nobody chose to go ahead despite it) stops the host untouched. Resolves to how many
 * processes release_handler will suspend.
 */
export async function liveBeforeInstall(ctx: CoreContext, host: Host, plan: UpgradePlan, hp: HostPlan): Promise<number> {
  const from = hp.from;
  if (!from) return 0;
  // Nothing has changed on the node yet: a failure here leaves it untouched (no rollback).
  return beforeAnyChange(() => runStep(ctx.emit, 'live_facts', hp.host, async () => {
    const r = await unpackedTargets(host, hp.to, from).then(
      (targets) => (targets.length === 0 ? null : readLiveFacts(host, targets, hostBeams(host, planBeams.get(plan)))),
    ).catch((e: unknown) => {
      // As in plan: a node that cannot answer this read is upgraded on what the plan knew.
      if (isHotupError(e) && !['LINK_LOST', 'NODE_DOWN'].includes(e.code)) return e;
      throw e;
    });
    if (r === null) return { value: 0, skipped: true, detail: 'the relup loads, suspends or purges no module' };
    if (r instanceof HotupError) return { value: 0, skipped: true, detail: `live facts not read: ${r.message}` };
    const seen = new Set(hp.reasons.map((x) => x.rule));
    const fresh = r.findings.filter((f) => f.effect !== 'none' && !seen.has(f.rule));
    if (fresh.length > 0) {
      throw new HotupError('UPGRADE_FAILED', `the live node changed since the plan: ${fresh.map((f) => `[${f.rule}] ${f.message}`).join('; ')}`,
        `${STILL_OLD} ${fresh[0]!.remedy} Plan again to see the node as it is now.`, { host: hp.host, untouched: true });
    }
    // What the user chose to go ahead with is said again, as the node stands now.
    for (const f of r.findings) if (f.severity !== 'info') ctx.emit({ type: 'log', level: 'warn', host: hp.host, message: `[${f.rule}] ${f.message}` });
    return { value: expectedPauseMs(r.facts).processes, detail: r.summary };
  }));
}
