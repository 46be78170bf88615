/** `hotup inspect <artifact>`: the facts, findings and decision `plan` would reach, for files on disk, offline. */
import { HotupError } from '../errors.js';
import { LocalExecutor } from '../remote/local.js';
import { openArtifact } from '../build/artifact.js';
import { buildHostUpgradeFacts } from '../helper/facts.js';
import { localHelperDir, runHelper, type HelperHost } from '../helper/run.js';
import { parseRelup } from '../terms/relup.js';
import type { UpgradeFacts } from '../terms/facts.js';
import type { ReleaseFacts, Relup, RelupInstruction, RelupPath } from '../terms/model.js';
import { decide, type Decision } from '../plan/decide.js';
import { validate } from '../validate/index.js';
import { completenessRules } from '../validate/release-core.js';
import { findPath, relupMissing, relupPathRules } from '../validate/relup-paths.js';
import { bySeverity, type Finding } from '../validate/finding.js';
import { groupByApplication, type InstructionGroup } from '../report/relup.js';

export const INSPECT_SCHEMA = 'hotup.inspect/1';

const OFFLINE = { checked: false, why: 'inspect reads files only; `hotup plan` reads the live node (processes killed, suspended, states rehearsed)' } as const;

export interface InspectOptions {
  /** The release version to inspect when a directory holds several. */
  vsn?: string;
  /** The version that runs: judge only the upgrade from it (default: every up-path of the relup). */
  from?: string;
}

export interface InspectedPath {
  direction: 'up' | 'down';
  /** The version this path upgrades from (up) or downgrades to (down). */
  vsn: string;
  /** False for an up-path asked for with --from that the relup lacks. */
  present: boolean;
  instructions: RelupInstruction[];
  groups: InstructionGroup[];
  /** Up-paths only: what the rules find for an upgrade from `vsn`, and the decision. */
  findings: Finding[];
  decision: Decision<Finding>['kind'] | null;
}

export interface ReleaseSummary {
  name: string;
  vsn: string;
  erts: string;
  apps: Array<{ name: string; vsn: string; modules: number }>;
}

export interface InspectResult {
  schema: typeof INSPECT_SCHEMA;
  artifact: string;
  kind: 'relup' | 'release';
  vsn: string;
  /** The release's applications (null for a relup file alone). */
  release: ReleaseSummary | null;
  /** Findings about the artifact as a whole, when no up-path can be judged. */
  findings: Finding[];
  /** Offline, no live node is asked: the live rules (docs/live-checks.md) were not checked. */
  live: { checked: false; why: string };
  paths: InspectedPath[];
}

function summary(f: ReleaseFacts): ReleaseSummary {
  return { name: f.name, vsn: f.vsn, erts: f.erts, apps: f.apps.map((a) => ({ name: a.name, vsn: a.vsn, modules: a.modules.length })) };
}

function upPath(relup: Relup, running: string, findings: Finding[], facts: ReleaseFacts | null): InspectedPath {
  const p = findPath(relup.up, running);
  const instructions = p?.instructions ?? [];
  return { direction: 'up', vsn: running, present: !!p, instructions, groups: groupByApplication(instructions, facts), findings, decision: decide(findings).kind };
}

function downPaths(relup: Relup, from: string | undefined, facts: ReleaseFacts | null): InspectedPath[] {
  const paths: RelupPath[] = from === undefined ? relup.down : relup.down.filter((p) => p.vsn === from);
  return paths.map((p) => ({ direction: 'down', vsn: p.vsn, present: true, instructions: p.instructions, groups: groupByApplication(p.instructions, facts), findings: [], decision: null }));
}

/** A release kept beside the inspected one (as in a build directory) gives the module diff; else null. */
function siblingFacts(old: UpgradeFacts['old'], vsn: string): ReleaseFacts | null {
  const facts = old.get(vsn);
  if (!(facts instanceof HotupError)) return facts ?? null;
  if (facts.code === 'ARTIFACT_INVALID') return null;
  throw facts;
}

export async function inspect(target: string, opts: InspectOptions = {}): Promise<InspectResult> {
  // Offline: the helper runs on this machine.
  const helper: HelperHost = { exec: new LocalExecutor(), dir: localHelperDir() };
  const artifact = await openArtifact(target, opts.vsn);
  if (artifact.kind === 'relup') {
    const relup = parseRelup(await runHelper(helper.exec, helper.dir, 'consult', [artifact.relup]));
    const runnings = opts.from === undefined ? relup.up.map((p) => p.vsn) : [opts.from];
    return {
      schema: INSPECT_SCHEMA,
      artifact: target,
      kind: 'relup',
      vsn: relup.vsn,
      release: null,
      findings: [],
      live: OFFLINE,
      paths: [...runnings.map((r) => upPath(relup, r, bySeverity(relupPathRules(relup, { running: r })), null)), ...downPaths(relup, opts.from, null)],
    };
  }
  try {
    // The inspected release and the ones beside it it upgrades from, in one run of the helper.
    const { facts, old } = await buildHostUpgradeFacts(helper, artifact.root, artifact.vsn, opts.from);
    const relup = facts.relup;
    const base: Omit<InspectResult, 'findings' | 'paths'> = { schema: INSPECT_SCHEMA, artifact: target, kind: 'release', vsn: artifact.vsn, release: summary(facts), live: OFFLINE };
    if (!relup) {
      // No paths to judge: the release itself, and the upgrade from --from when given.
      const findings = opts.from === undefined
        ? bySeverity([relupMissing(artifact.vsn, null), ...completenessRules(facts)])
        : validate({ running: opts.from, target: artifact.vsn, old: siblingFacts(old, opts.from), new: facts });
      return { ...base, findings, paths: [] };
    }
    const paths: InspectedPath[] = [];
    for (const running of opts.from === undefined ? relup.up.map((p) => p.vsn) : [opts.from]) {
      const findings = validate({ running, target: artifact.vsn, old: siblingFacts(old, running), new: facts });
      paths.push(upPath(relup, running, findings, facts));
    }
    return { ...base, findings: [], paths: [...paths, ...downPaths(relup, opts.from, facts)] };
  } finally {
    await artifact.cleanup();
  }
}
