/** `hotup inspect <artifact>`: the facts, findings and decision `plan` would reach, for files on disk, offline. */
import { HotupError } from '../errors.js';
import { LocalExecutor } from '../remote/local.js';
import { openArtifact } from '../build/artifact.js';
import { buildHostFacts, buildHostUpgradeFacts } from '../helper/facts.js';
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

export interface InspectOptions {
  /** The release version to inspect when a directory holds several. */
  vsn?: string;
  /** The version that runs: judge only the upgrade from it (default: every up-path of the relup). */
  from?: string;
  /**
   * The running side, when it is not beside the inspected release: a release
   * root or tarball holding the release that runs (the one --from names, else
   * its only or start_erl.data's one).
   */
  old?: string;
}

/** What an offline inspection cannot know: facts only the live node has (`hotup plan` reads them: docs/live-checks.md). */
export const NOT_CHECKED_OFFLINE = [
  'live facts: which processes run code of the modules the upgrade purges (killed by brutal_purge, or failing soft_purge), and how many it suspends',
  'the live state of the processes, and whether their code_change migrates it as it is now (the rehearsal)',
  'that the running release is the one given: a host may run another build of it (plan reads it on the host)',
];

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
  paths: InspectedPath[];
  /** The running release given with --old (null: judged against releases beside the inspected one, if any). */
  old: ReleaseSummary | null;
  /** Facts a decision made offline rests on without checking them (see NOT_CHECKED_OFFLINE). */
  notChecked: string[];
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

/** The running release, read from a release root or tarball of its own: its facts. */
async function runningRelease(helper: HelperHost, where: string, vsn: string | undefined): Promise<ReleaseFacts> {
  const old = await openArtifact(where, vsn);
  if (old.kind !== 'release') {
    throw new HotupError('USAGE', `--old ${where} is a relup file, not a release`, 'Give --old the release that runs: its release root (bin/, lib/, releases/) or its tarball.');
  }
  try {
    return await buildHostFacts(helper, old.root, old.vsn);
  } finally {
    await old.cleanup();
  }
}

export async function inspect(target: string, opts: InspectOptions = {}): Promise<InspectResult> {
  // Offline: the helper runs on this machine.
  const helper: HelperHost = { exec: new LocalExecutor(), dir: localHelperDir() };
  const oldRelease = opts.old === undefined ? null : await runningRelease(helper, opts.old, opts.from);
  const artifact = await openArtifact(target, opts.vsn);
  const offline = { old: oldRelease ? summary(oldRelease) : null, notChecked: NOT_CHECKED_OFFLINE };
  if (artifact.kind === 'relup' && oldRelease) {
    throw new HotupError('USAGE', `${target} is a relup file: --old needs the new release itself to compare with`, 'Give the new release\'s tarball or release root, with --old for the one that runs.');
  }
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
      paths: [...runnings.map((r) => upPath(relup, r, bySeverity(relupPathRules(relup, { running: r })), null)), ...downPaths(relup, opts.from, null)],
      ...offline,
    };
  }
  try {
    if (oldRelease) return await againstRunning(helper, target, artifact, oldRelease, offline);
    // The inspected release and the ones beside it it upgrades from, in one run of the helper.
    const { facts, old } = await buildHostUpgradeFacts(helper, artifact.root, artifact.vsn, opts.from);
    const relup = facts.relup;
    const base: Omit<InspectResult, 'findings' | 'paths'> = { schema: INSPECT_SCHEMA, artifact: target, kind: 'release', vsn: artifact.vsn, release: summary(facts), ...offline };
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

/** The upgrade from the release given with --old to the inspected one: any pair, wherever each is. */
async function againstRunning(helper: HelperHost, target: string, artifact: { root: string; vsn: string }, old: ReleaseFacts,
  offline: Pick<InspectResult, 'old' | 'notChecked'>): Promise<InspectResult> {
  const facts = await buildHostFacts(helper, artifact.root, artifact.vsn);
  const running = old.vsn;
  const findings = validate({ running, target: artifact.vsn, old, new: facts });
  const base: Omit<InspectResult, 'findings' | 'paths'> = { schema: INSPECT_SCHEMA, artifact: target, kind: 'release', vsn: artifact.vsn, release: summary(facts), ...offline };
  if (!facts.relup) return { ...base, findings, paths: [] };
  return { ...base, findings: [], paths: [upPath(facts.relup, running, findings, facts), ...downPaths(facts.relup, running, facts)] };
}
