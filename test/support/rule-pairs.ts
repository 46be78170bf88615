/**
 * A pair of rebar3 shop releases judged by every rule, as the rule tests need it: a source built by
 * real rebar3 over a built 0.1.0, the relup 0.1.0 → 0.2.0 made by rebar3, the facts read by hotup's
 * helper on this machine, and the decision.
 */
import { buildHostFacts } from '../../src/helper/facts.js';
import { localHelperDir } from '../../src/helper/run.js';
import { decide } from '../../src/plan/decide.js';
import { LocalExecutor } from '../../src/remote/local.js';
import type { ReleaseFacts } from '../../src/terms/model.js';
import type { Finding } from '../../src/validate/finding.js';
import { validate } from '../../src/validate/index.js';
import { buildRebar3Shop, type ShopBuild, type ShopSource } from './fixture-build.js';

/** hotup's fact helper, run here. */
export const localHelper = { exec: new LocalExecutor(), dir: localHelperDir() };

export interface Judged {
  rules: string[];
  findings: Finding[];
  decision: string;
}

export interface PairOutcome extends Judged {
  build: ShopBuild;
  newFacts: ReleaseFacts;
}

export function judge(findings: Finding[]): Judged {
  return { rules: findings.map((f) => f.rule), findings, decision: decide(findings).kind };
}

/** SOURCE built over FROM (whose facts are OLD_FACTS), the relup made by rebar3, and every rule run on the pair. */
export async function judgePair(source: ShopSource, from: ShopBuild, oldFacts: ReleaseFacts): Promise<PairOutcome> {
  const build = await buildRebar3Shop([source], { from, relup: true });
  const newFacts = await buildHostFacts(localHelper, build.relDir, '0.2.0');
  return { ...judge(validate({ running: '0.1.0', target: '0.2.0', old: oldFacts, new: newFacts })), build, newFacts };
}
