/** Facts of a release — its applications, modules, appups — read by the helper where the release is. */
import path from 'node:path';
import type { Executor } from '../remote/executor.js';
import { parseReleaseFacts } from '../terms/facts.js';
import type { ReleaseFacts } from '../terms/model.js';
import { listItems, text } from '../terms/shape.js';
import { localHelperDir, runHelper } from './helper.js';
import { runHostHelper } from './host-helper.js';

const FACTS_TIMEOUT_MS = 5 * 60_000;

/** On the build host, which has Erlang. */
export async function buildHostFacts(exec: Executor, relDir: string, vsn: string): Promise<ReleaseFacts> {
  return parseReleaseFacts(await runHelper(exec, localHelperDir(), 'facts', [relDir, vsn], { timeoutMs: FACTS_TIMEOUT_MS }));
}

/** Which of these beam files have an -on_load function (build host). */
export async function onLoadModules(exec: Executor, beams: string[]): Promise<string[]> {
  if (beams.length === 0) return [];
  const t = await runHelper(exec, localHelperDir(), 'onload', beams, { timeoutMs: FACTS_TIMEOUT_MS });
  return listItems(t, 'onload').map((b) => path.basename(text(b, 'onload'), '.beam'));
}

/**
 * On a production host, with the release's own ERTS: the running release as
 * it really is there (a rebuilt copy on the build host can differ).
 */
export async function hostFacts(exec: Executor, root: string, erts: string, vsn: string): Promise<ReleaseFacts> {
  return parseReleaseFacts(await runHostHelper(exec, root, erts, 'facts', [root, vsn], FACTS_TIMEOUT_MS));
}
