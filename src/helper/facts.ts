/** Facts of a release — its .rel, applications, modules, appups and relup — read by the helper where the release is. */
import type { Executor } from '../remote/executor.js';
import { parseReleaseFacts } from '../terms/facts.js';
import type { ReleaseFacts } from '../terms/model.js';
import { runHelper, type HelperHost } from './run.js';
import { runHostHelper } from './on-host.js';

const FACTS_TIMEOUT_MS = 5 * 60_000;

/** On the build host (or this machine), which has Erlang. */
export async function buildHostFacts(helper: HelperHost, relDir: string, vsn: string): Promise<ReleaseFacts> {
  return parseReleaseFacts(await runHelper(helper.exec, helper.dir, 'facts', [relDir, vsn], { timeoutMs: FACTS_TIMEOUT_MS }));
}

/**
 * On a production host, with the release's own ERTS: the running release as
 * it really is there (a rebuilt copy on the build host can differ).
 */
export async function hostFacts(exec: Executor, root: string, erts: string, vsn: string): Promise<ReleaseFacts> {
  return parseReleaseFacts(await runHostHelper(exec, root, erts, 'facts', [root, vsn], FACTS_TIMEOUT_MS));
}
