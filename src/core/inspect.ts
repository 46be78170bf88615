/** `hotup inspect <artifact>`: the same facts, findings and decision as `plan`, for files on disk, offline. */
import { isHotupError } from '../errors.js';
import { LocalExecutor } from '../remote/local.js';
import { openArtifact } from '../release/artifact.js';
import { buildHostFacts, onLoadModules } from '../release/facts.js';
import { localHelperDir, runHelper } from '../release/helper.js';
import { parseRelup } from '../terms/relup.js';
import type { ReleaseFacts, Relup, RelupInstruction } from '../terms/model.js';
import { decide } from '../plan/decide.js';
import type { HostAction } from '../plan/types.js';
import { validate } from '../validate/index.js';
import { relupPathRules } from '../validate/relup-paths.js';
import { diffReleases } from '../validate/diff.js';
import type { Finding } from '../validate/finding.js';
import { groupByApplication, type InstructionGroup } from '../report/relup-groups.js';

export const INSPECT_SCHEMA = 'hotup.inspect/1';

export interface InspectedPath {
  direction: 'up' | 'down';
  /** The version this path upgrades from (up) or downgrades to (down). */
  vsn: string;
  instructions: RelupInstruction[];
  groups: InstructionGroup[];
  /** Up-paths only: what the rules find for an upgrade from `vsn`, and the decision. */
  findings: Finding[];
  decision: Exclude<HostAction, 'noop'> | null;
}

export interface InspectResult {
  schema: typeof INSPECT_SCHEMA;
  artifact: string;
  kind: 'relup' | 'release';
  vsn: string;
  /** Findings about the artifact as a whole (for a release without a relup). */
  findings: Finding[];
  paths: InspectedPath[];
}

export async function inspect(target: string, opts: { vsn?: string } = {}): Promise<InspectResult> {
  const exec = new LocalExecutor();
  const helperDir = localHelperDir();
  const artifact = await openArtifact(target, opts.vsn);
  const readRelup = async (file: string): Promise<Relup> => parseRelup(await runHelper(exec, helperDir, 'consult', [file]));
  if (artifact.kind === 'relup') {
    const relup = await readRelup(artifact.relup);
    return {
      schema: INSPECT_SCHEMA,
      artifact: target,
      kind: 'relup',
      vsn: relup.vsn,
      findings: [],
      paths: [
        ...relup.up.map((p) => {
          const findings = relupPathRules(relup, p.vsn);
          return { direction: 'up' as const, vsn: p.vsn, instructions: p.instructions, groups: groupByApplication(p.instructions, null), findings, decision: decide(findings) };
        }),
        ...relup.down.map((p) => ({ direction: 'down' as const, vsn: p.vsn, instructions: p.instructions, groups: groupByApplication(p.instructions, null), findings: [], decision: null })),
      ],
    };
  }
  try {
    const facts = await buildHostFacts(exec, artifact.root, artifact.vsn);
    const relup = artifact.relup ? await readRelup(artifact.relup) : null;
    // An older release kept beside the new one (as in a build directory) gives the module diff.
    const factsOf = async (vsn: string): Promise<ReleaseFacts | null> => {
      try {
        return await buildHostFacts(exec, artifact.root, vsn);
      } catch (e) {
        if (isHotupError(e)) return null;
        throw e;
      }
    };
    const up: InspectedPath[] = [];
    for (const p of relup?.up ?? []) {
      const old = await factsOf(p.vsn);
      const beams = old ? diffReleases(old, facts).flatMap((c) => [...c.changed, ...c.added].map((m) => `${artifact.root}/lib/${c.name}-${c.newVsn}/ebin/${m.module}.beam`)) : [];
      const findings = validate({ running: p.vsn, target: artifact.vsn, old, new: facts, relup, onLoad: await onLoadModules(exec, beams) });
      up.push({ direction: 'up', vsn: p.vsn, instructions: p.instructions, groups: groupByApplication(p.instructions, facts), findings, decision: decide(findings) });
    }
    const down: InspectedPath[] = (relup?.down ?? []).map((p) => ({
      direction: 'down', vsn: p.vsn, instructions: p.instructions, groups: groupByApplication(p.instructions, facts), findings: [], decision: null,
    }));
    const findings: Finding[] = relup ? [] : [{
      rule: 'relup/missing',
      severity: 'error',
      effect: 'restart',
      message: `release ${artifact.vsn} has no relup, so release_handler cannot upgrade to it`,
      remedy: 'Make a relup from the version that runs (rebar3 relup --upfrom <running>), or plan for a restart.',
    }];
    return { schema: INSPECT_SCHEMA, artifact: target, kind: 'release', vsn: artifact.vsn, findings, paths: [...up, ...down] };
  } finally {
    await artifact.cleanup();
  }
}
