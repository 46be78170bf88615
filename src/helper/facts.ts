/** Facts of a release — its .rel, applications, modules, appups and relup — read by the helper where the release is. */
import { parseReleaseFacts, parseUpgradeFacts, type UpgradeFacts } from '../terms/facts.js';
import type { ReleaseFacts } from '../terms/model.js';
import { helperError, runHelper, type HelperHost } from './run.js';

export const FACTS_TIMEOUT_MS = 5 * 60_000;

/** On the build host (or this machine), which has Erlang. */
export async function buildHostFacts(helper: HelperHost, relDir: string, vsn: string): Promise<ReleaseFacts> {
  return parseReleaseFacts(await runHelper(helper.exec, helper.dir, 'facts', [relDir, vsn], { timeoutMs: FACTS_TIMEOUT_MS }));
}

/**
 * On the build host, in one run of the helper: release VSN under ROOT and the
 * releases there it upgrades from (FROM, else every up-path of its relup).
 */
export async function buildHostUpgradeFacts(helper: HelperHost, root: string, vsn: string, from?: string): Promise<UpgradeFacts> {
  const command = 'upgrade-facts';
  const answer = await runHelper(helper.exec, helper.dir, command, [root, vsn, ...(from === undefined ? [] : [from])], { timeoutMs: FACTS_TIMEOUT_MS });
  return parseUpgradeFacts(answer, (cls, detail) => helperError(command, cls, detail, helper.exec.target));
}

