/** Facts of a release — its .rel, applications, modules, appups and relup — read by the helper where the release is. */
import { parseReleaseFacts } from '../terms/facts.js';
import type { ReleaseFacts } from '../terms/model.js';
import { runHelper, type HelperHost } from './run.js';

export const FACTS_TIMEOUT_MS = 5 * 60_000;

/** On the build host (or this machine), which has Erlang. */
export async function buildHostFacts(helper: HelperHost, relDir: string, vsn: string): Promise<ReleaseFacts> {
  return parseReleaseFacts(await runHelper(helper.exec, helper.dir, 'facts', [relDir, vsn], { timeoutMs: FACTS_TIMEOUT_MS }));
}
