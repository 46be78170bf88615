/** apply's last look at the live node before install, over a fake host: a finding the plan did not show stops the host untouched. */
import { describe, expect, test } from 'vitest';
import type { HotupError } from '../../src/errors.js';
import { runApply } from '../../src/core/deploy.js';
import type { ApplyResult } from '../../src/core/results.js';
import type { Term } from '../../src/terms/etf.js';
import type { UpgradePlan } from '../../src/plan/types.js';
import { FakeHost, fakeContext, fakePlan, stepsOf } from '../support/fake-host.js';

const OLD = '0.1.0';
const NEW = '0.2.0';
const a = (name: string): Term => ({ kind: 'atom', name });
const b = (value: string): Term => ({ kind: 'binary', value });
const t = (...items: Term[]): Term => ({ kind: 'tuple', items });
const l = (...items: Term[]): Term => ({ kind: 'list', items });
const n = (value: number): Term => ({ kind: 'int', value });

/** releases/0.2.0/relup as the host consults it: shop_listener load_module'd (brutal_purge). */
const relup = t(b(NEW), l(t(b(OLD), l(), l(
  t(a('load_object_code'), t(a('shop'), b(NEW), l(a('shop_listener')))),
  a('point_of_no_return'),
  t(a('load'), t(a('shop_listener'), a('brutal_purge'), a('brutal_purge'))),
))), l());

/** The node's live facts: the acceptor waits inside shop_listener (RUNNERS of them). */
function facts(runners: number, suspended = 0): Term {
  const proc = t(b('<0.279.0>'), a('shop_listener'), b('{shop_listener,init,1}'));
  const held = t(b('<0.278.0>'), a('shop_counter'), b('{shop_counter,init,1}'));
  return { kind: 'map', entries: [
    [a('root'), b('/srv/shop')], [a('scanned'), n(60)], [a('total'), n(60)], [a('truncated'), a('false')], [a('elapsed_ms'), n(3)],
    [a('modules'), l(t(a('shop_listener'), b('/srv/shop/lib/shop-0.1.0/ebin/shop_listener.beam'), a('false'), l(...Array.from({ length: runners }, () => proc)), l()))],
    [a('suspended'), l(...(suspended ? [t(a('shop_counter'), l(...Array.from({ length: suspended }, () => t(held, n(30), a('ok')))))] : []))],
  ] };
}

async function apply(fake: FakeHost, plan: UpgradePlan): Promise<{ result?: ApplyResult; error?: HotupError; steps: string[] }> {
  fake.fail({ op: 'terms', reply: relup }).fail({ op: 'call:live_facts', reply: facts(fake.name.endsWith('busy') ? 1 : 0, fake.name.endsWith('held') ? 1 : 0) });
  const { ctx, events } = fakeContext([fake]);
  try {
    const result = await runApply(ctx, 'prod', {}, async () => undefined, async () => plan);
    return { result, steps: stepsOf(events, fake.name) };
  } catch (e) {
    return { error: e as HotupError, steps: stepsOf(events, fake.name) };
  }
}

describe('apply reads the live facts again before install', () => {
  test('an acceptor the plan did not see in a module purged brutally: stopped before install, nothing changed', async () => {
    const fake = new FakeHost({ name: 'deploy@busy', releases: [{ vsn: OLD, status: 'permanent' }] });
    const { error, steps } = await apply(fake, fakePlan([fake], OLD, NEW));
    expect(error).toMatchObject({ code: 'UPGRADE_FAILED', untouched: true });
    expect(error!.message).toMatch(/the live node changed since the plan: \[live\/brutal-purge-kills\] shop_listener is loaded with brutal_purge while shop_listener \(\{shop_listener,init,1\}\)/);
    expect(steps).toContain('live_facts:fail');
    expect(steps.some((s) => s.startsWith('install:') || s.startsWith('rollback:'))).toBe(false);
    expect(fake.running).toBe(OLD);
  });

  test('the same finding shown by the plan (the user went ahead with --force) does not stop it again', async () => {
    const fake = new FakeHost({ name: 'deploy@busy', releases: [{ vsn: OLD, status: 'permanent' }] });
    const plan = fakePlan([fake], OLD, NEW);
    plan.hosts[0]!.reasons = [{ rule: 'live/brutal-purge-kills', severity: 'error', effect: 'restart', message: 'shop_listener …', remedy: '…' }];
    const { result, steps } = await apply(fake, plan);
    expect(result!.hosts[0]).toMatchObject({ outcome: 'upgraded' });
    expect(steps).toContain('live_facts:done');
  });

  test('its twin, no process in the module: the install goes on', async () => {
    const fake = new FakeHost({ name: 'deploy@idle', releases: [{ vsn: OLD, status: 'permanent' }] });
    const { result, steps } = await apply(fake, fakePlan([fake], OLD, NEW));
    expect(result!.hosts[0]).toMatchObject({ outcome: 'upgraded' });
    expect(steps.indexOf('live_facts:done')).toBeLessThan(steps.indexOf('install:done'));
    // Nothing suspended: no pause to report.
    expect(result!.hosts[0]!.pauseMs).toBeUndefined();
  });

  test('processes suspended by the install: the measured pause is the install\'s time, in the result', async () => {
    const fake = new FakeHost({ name: 'deploy@held', releases: [{ vsn: OLD, status: 'permanent' }] });
    const { result } = await apply(fake, fakePlan([fake], OLD, NEW));
    expect(result!.hosts[0]).toMatchObject({ outcome: 'upgraded', pauseMs: expect.any(Number) });
  });
});
