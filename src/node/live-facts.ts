/**
 * The live facts of an upgrade, read from the node through the session (read
 * only, bounded in time and memory) and judged by the live rules. `plan` reads
 * them with the new beams from the build; `apply` again just before install,
 * with the beams the unpack put on the host, so a state changed since the plan
 * is rehearsed again.
 */
import type { Host } from '../host/host.js';
import type { LiveLimits, LiveModuleRequest } from '../host/protocol.js';
import { parseLiveFacts, type LiveFacts } from '../terms/live-facts.js';
import { parseRelup } from '../terms/relup.js';
import { findPath } from '../validate/relup-paths.js';
import { liveTargets, type LiveTarget } from '../validate/live-targets.js';
import { expectedPauseMs, liveRules } from '../validate/live.js';
import type { Finding } from '../validate/finding.js';

/** Bounds that keep the reading light on a busy node: a few seconds, a capped process scan, small states only. */
export const LIVE_LIMITS: LiveLimits = {
  budget_ms: 5_000,
  max_procs: 200_000,
  state_words: 1_000_000,
  heap_words: 8_000_000,
  change_ms: 2_000,
};

/** Where a module's new beam is: base64 bytes read from the build, or paths on the host. */
export interface BeamSource {
  beams(t: LiveTarget): Promise<string[]>;
  paths(t: LiveTarget): string[];
}

export interface LiveReading {
  facts: LiveFacts;
  findings: Finding[];
  /** One line for the step's detail: what was read and the expected pause. */
  summary: string;
}

export async function readLiveFacts(host: Host, targets: LiveTarget[], source: BeamSource): Promise<LiveReading> {
  const modules: LiveModuleRequest[] = await Promise.all(targets.map(async (t) => ({
    module: t.module,
    suspend: t.suspend,
    change: t.change,
    beams: t.change !== null ? await source.beams(t) : [],
    paths: t.change !== null ? source.paths(t) : [],
  })));
  const facts = parseLiveFacts(await host.call({ op: 'live_facts', modules, limits: LIVE_LIMITS }, LIVE_LIMITS.budget_ms * 4 + 30_000));
  const findings = liveRules(targets, facts);
  const pause = expectedPauseMs(facts);
  const rehearsed = facts.suspended.flatMap((s) => s.processes).filter((p) => !['none', 'skip', 'no_code_change'].includes(p.rehearsal.kind)).length;
  const summary = `${facts.scanned}${facts.truncated ? ` of ${facts.total}` : ''} processes read in ${facts.elapsedMs} ms; `
    + `${pause.processes} to suspend (expected pause ${pause.ms} ms); code_change rehearsed on ${rehearsed} live state(s); `
    + `${findings.filter((f) => f.severity !== 'info').length} problem(s)`;
  return { facts, findings, summary };
}

/** The up-path from FROM of the relup unpacked on the host for VSN, as live targets; none without a relup there. */
export async function unpackedTargets(host: Host, vsn: string, from: string): Promise<LiveTarget[]> {
  const file = `${host.root}/releases/${vsn}/relup`;
  const terms = await host.terms(file);
  if (!terms) return [];
  const up = findPath(parseRelup({ kind: 'list', items: terms }, file).up, from);
  return up ? liveTargets(up) : [];
}

/**
 * The beams the unpack put under the release root (lib/APP-VSN/ebin/M.beam), which the session takes as
 * the code to judge; and the build's, for their debug_info, when this process made the build.
 */
export function hostBeams(host: Host, build?: BeamSource): BeamSource {
  return {
    beams: (t) => build?.beams(t) ?? Promise.resolve([]),
    paths: (t) => (t.app && t.vsn ? [`${host.root}/lib/${t.app}-${t.vsn}/ebin/${t.module}.beam`] : []),
  };
}
