/** Talking to the running node through its own start script. */
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { framedExpr, nodeEvalArgv, pingArgv, type NodeFlavor } from '../commands/node.js';
import { decodeFramed, printTerm, type Term } from '../terms/etf.js';
import { liveExprs } from '../commands/node.js';
import { parseWhichReleases } from '../terms/releases.js';
import type { ReleasesEntry } from '../terms/model.js';

export interface NodeTarget {
  exec: Executor;
  /** Release root on the host. */
  root: string;
  app: string;
  flavor: NodeFlavor;
  /** Source of erlang-helpers/encode.fun. */
  encoder: string;
  /** Variables every command of the release's script needs on this host (from hotup.yml). */
  env: Record<string, string>;
}

const NOT_RUNNING = /Node is not running|Node '?[^ ]+'? not responding|could not connect/i;

/** True when the node answers the start script's `ping`. */
export async function nodeIsUp(t: NodeTarget, timeoutMs = 30_000): Promise<boolean> {
  const r = await t.exec.run(pingArgv(t.root, t.app, t.flavor), { timeoutMs, env: t.env });
  return r.code === 0;
}

/**
 * Evaluate BODY on the live node and return its value as a typed term. An
 * exception inside BODY comes back as `{'EXIT', Reason}`, not as an error here.
 */
export async function evalOnNode(t: NodeTarget, body: string, timeoutMs = 120_000): Promise<Term> {
  const argv = nodeEvalArgv(t.root, t.app, t.flavor, framedExpr(t.encoder, body));
  // relx's script gives erl_call its own timeout (seconds); keep it inside ours.
  const env = { ...t.env, RELX_RPC_TIMEOUT: String(Math.max(1, Math.floor(timeoutMs / 1000) - 1)) };
  const r = await t.exec.run(argv, { timeoutMs, env });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.code !== 0 && NOT_RUNNING.test(out)) {
    throw new HotupError(
      'NODE_DOWN',
      `the node of ${t.app} under ${t.root} is not running`,
      `Start it (for example \`${t.root}/bin/${t.app} daemon\`) or check that deploy_to points at the live release.`,
      { host: t.exec.target },
    );
  }
  const term = decodeFramed(r.stdout);
  if (term === undefined) {
    throw new HotupError(
      'COMMAND_FAILED',
      `evaluating on the node failed (exit ${r.code}): ${out.trim().slice(0, 600) || 'no output'}`,
      `Run \`${t.root}/bin/${t.app} eval 'release_handler:which_releases().'\` on the host to see whether the node answers.`,
      { host: t.exec.target },
    );
  }
  return term;
}

/** `{'EXIT', Reason}` from `catch`, printed; undefined for any other value. */
export function exitReason(t: Term): string | undefined {
  if (t.kind === 'tuple' && t.items.length === 2 && t.items[0]?.kind === 'atom' && t.items[0].name === 'EXIT') {
    return printTerm(t.items[1]!);
  }
  return undefined;
}

/** release_handler:which_releases/0 of the live node, typed. */
export async function readLiveReleases(t: NodeTarget): Promise<ReleasesEntry[]> {
  const r = await evalOnNode(t, liveExprs.whichReleases(), 60_000);
  const failed = exitReason(r);
  if (failed) {
    throw new HotupError('COMMAND_FAILED', `release_handler:which_releases() failed on the node: ${failed}`,
      'Check that the release includes the sasl application: release_handler is part of it.', { host: t.exec.target });
  }
  return parseWhichReleases(r);
}

/** Polls until the node answers or the time is up; true when it answered. */
export async function waitForNode(t: NodeTarget, timeoutMs: number, pollMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await nodeIsUp(t, Math.min(30_000, Math.max(5_000, deadline - Date.now()))).catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
