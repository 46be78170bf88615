/**
 * The saved plan (`hotup plan --out`): the plan apply carries out, the host
 * readings it was decided on, and the build it ships, pinned by digest. Pure:
 * parsing, and comparing the readings with the hosts as they are now.
 */
import { z } from 'zod';
import { HotupError } from '../errors.js';
import type { HostStatus } from './host-status.js';
import { PLAN_SCHEMA, type UpgradePlan } from './types.js';

export const PLAN_FILE_SCHEMA = 'hotup.planfile/1';

/** What a host ran when the plan was made: each host's decision follows from it and the build. */
export interface HostReading {
  host: string;
  running: string | null;
  permanent: string | null;
  /** The ERTS start_erl.data names. */
  erts: string | null;
  nodeUp: boolean;
}

export interface PlanFile {
  schema: typeof PLAN_FILE_SCHEMA;
  /** The hotup version that made it. */
  hotup: string;
  createdAt: string;
  readings: HostReading[];
  /** sha256 of the relup inside the tarball; null without a tarball or without a relup in it. */
  relup: { sha256: string } | null;
  /** The plan; its tarball path is relative to the plan file's directory, where `--out` puts the tarball. */
  plan: UpgradePlan;
}

export function readingOf(s: HostStatus): HostReading {
  return { host: s.host, running: s.running, permanent: s.permanent, erts: s.startErl?.erts ?? null, nodeUp: s.live.up };
}

// A finding may carry app and module too: kept as they are.
const reason = z.looseObject({
  rule: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  effect: z.enum(['none', 'restart', 'block']),
  message: z.string(),
  remedy: z.string(),
});

const fileSchema = z.object({
  schema: z.literal(PLAN_FILE_SCHEMA),
  hotup: z.string(),
  createdAt: z.string(),
  readings: z.array(z.object({
    host: z.string(),
    running: z.string().nullable(),
    permanent: z.string().nullable(),
    erts: z.string().nullable(),
    nodeUp: z.boolean(),
  })),
  relup: z.object({ sha256: z.string() }).nullable(),
  plan: z.object({
    schema: z.literal(PLAN_SCHEMA),
    app: z.string(),
    environment: z.string(),
    deployTo: z.string(),
    target: z.object({
      vsn: z.string(),
      tarball: z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() }).nullable(),
      appups: z.array(z.object({ app: z.string(), source: z.enum(['project', 'build', 'generated']), text: z.string().nullable() })).optional(),
    }),
    hosts: z.array(z.object({
      host: z.string(),
      from: z.string().nullable(),
      to: z.string(),
      action: z.enum(['hot', 'restart', 'noop', 'blocked']),
      reasons: z.array(reason),
      instructions: z.array(z.string()),
      hotRollback: z.boolean(),
      warnings: z.array(z.string()),
    })),
  }),
});

const REMAKE = 'Make it again with `hotup plan <env> --out <file>` and apply that file.';

/** The plan file's text as a PlanFile, or a usage error saying what is wrong with it. */
export function parsePlanFile(text: string, where: string): PlanFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new HotupError('USAGE', `${where} is not a plan file: not JSON (${(e as Error).message})`, REMAKE);
  }
  const schema = (doc as { schema?: unknown } | null)?.schema;
  if (schema !== PLAN_FILE_SCHEMA) {
    throw new HotupError('USAGE', `${where} is not a ${PLAN_FILE_SCHEMA} plan file (its schema is ${JSON.stringify(schema ?? null)})`,
      schema === PLAN_SCHEMA ? 'That is `hotup plan --json` output; a plan to apply is written by `hotup plan <env> --out <file>`.' : REMAKE);
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new HotupError('USAGE', `${where} is a damaged plan file: ${first.path.join('/') || '(top)'}: ${first.message}`, REMAKE);
  }
  return parsed.data as PlanFile;
}

/** The saved plan belongs to this app and environment, or a usage error. */
export function checkPlanTarget(file: PlanFile, where: string, app: string, envName: string): void {
  const { plan } = file;
  if (plan.app !== app || plan.environment !== envName) {
    throw new HotupError('USAGE', `${where} is a plan for ${plan.app} in ${plan.environment}, not for ${app} in ${envName}`,
      `Apply it with \`hotup apply ${plan.environment} --plan ${where}\` in the project of ${plan.app}, or make a plan for ${envName}.`);
  }
}

const show = (v: string | null) => v ?? 'unknown';

/**
 * How the hosts differ from the readings the plan was decided on, one line per
 * difference naming the host; empty when every host is as planned.
 */
export function planDrift(readings: HostReading[], configured: string[], now: HostStatus[]): string[] {
  const changes: string[] = [];
  for (const h of configured.filter((c) => !readings.some((r) => r.host === c))) changes.push(`${h}: added to the environment since the plan was made`);
  for (const r of readings.filter((x) => !configured.includes(x.host))) changes.push(`${r.host}: no longer in the environment`);
  for (const r of readings) {
    const s = now.find((x) => x.host === r.host);
    if (!s) continue;
    const n = readingOf(s);
    if (n.running !== r.running) changes.push(`${r.host}: runs ${show(n.running)}, planned from ${show(r.running)}`);
    if (n.permanent !== r.permanent) changes.push(`${r.host}: permanent release is ${show(n.permanent)}, was ${show(r.permanent)}`);
    if (n.erts !== r.erts) changes.push(`${r.host}: ERTS is ${show(n.erts)}, was ${show(r.erts)}`);
    if (n.nodeUp !== r.nodeUp) changes.push(`${r.host}: the node is ${n.nodeUp ? 'up' : 'down'}, was ${r.nodeUp ? 'up' : 'down'}`);
  }
  return changes;
}
