/** appup/missing says why no appup was made and what to do; RELUP_STOPPERS are the findings systools makes no relup with. */
import { describe, expect, test } from 'vitest';
import { appupRules, RELUP_STOPPERS } from '../../src/validate/appup.js';
import type { AppFacts, RelupPath } from '../../src/terms/model.js';
import type { AppChange } from '../../src/validate/diff.js';

const app: AppFacts = { name: 'shop', vsn: '0.2.0', present: true, appModules: [], appup: { status: 'none' }, modules: [] };
const change: AppChange = { name: 'shop', oldVsn: '0.1.0', newVsn: '0.2.0', changed: [], added: [], deleted: [], app };

describe('appup/missing', () => {
  test('generation off: says so, and turning it on is one of the remedies', () => {
    const [f] = appupRules([change], [{ app: 'shop', why: 'generation is off: build.appups is off', generationOff: true }]);
    expect(f).toMatchObject({ rule: 'appup/missing', effect: 'restart', app: 'shop' });
    expect(f!.message).toBe('shop goes from 0.1.0 to 0.2.0 but has no ebin/shop.appup, and hotup generated none (generation is off: build.appups is off): systools cannot make a relup, so only a restart moves the node to the new release');
    expect(f!.remedy).toMatch(/^Add rel\/appups\/shop\.appup .*build\.appups: generate.*hotup apply --restart/);
    expect(RELUP_STOPPERS.has(f!.rule)).toBe(true);
  });

  test('generation could not decide: says why, and does not offer generation', () => {
    const [f] = appupRules([change], [{ app: 'shop', why: 'shop_thing changes from a stateful module to a supervisor one', generationOff: false }]);
    expect(f!.message).toMatch(/hotup generated none \(shop_thing changes from a stateful module to a supervisor one\)/);
    expect(f!.remedy).not.toMatch(/build\.appups/);
  });

  test('a relup that upgrades the application was made with its appup: a tarball without the appup is no finding', () => {
    const up: RelupPath = { vsn: '0.1.0', descr: '[]', instructions: [{ op: 'load_object_code', app: 'shop', vsn: '0.2.0', modules: [] }, { op: 'point_of_no_return' }] };
    expect(appupRules([change], [], up)).toEqual([]);
    expect(appupRules([change], [], { ...up, instructions: [] }).map((f) => f.rule)).toEqual(['appup/missing']);
  });
});
