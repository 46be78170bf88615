import { expect, test } from 'vitest';
import { sameVersionRules } from '../../src/validate/same-version.js';
import type { AppFacts, ReleaseFacts } from '../../src/terms/model.js';

function release(apps: Array<[string, string, Record<string, string>]>): ReleaseFacts {
  return {
    name: 'shop', vsn: '0.2.0', erts: '13.1.5', relup: null,
    apps: apps.map(([name, vsn, mods]): AppFacts => ({
      name, vsn, present: true, appModules: Object.keys(mods), appup: { status: 'none' },
      modules: Object.entries(mods).map(([module, md5]) => ({ module, md5, behaviours: [], codeChange: false, loadsNif: false, onLoad: false })),
    })),
  };
}

const runs = release([['shop', '0.2.0', { shop_counter: 'a1', shop_sup: 'b1' }], ['sasl', '4.2', { sasl: 'c1' }]]);

test('the same code under the same version: silent', () => {
  expect(sameVersionRules(runs, release([['shop', '0.2.0', { shop_counter: 'a1', shop_sup: 'b1' }], ['sasl', '4.2', { sasl: 'c1' }]]))).toEqual([]);
});

test('a changed module, an application version or set that differs: one blocking finding naming them', () => {
  const [f] = sameVersionRules(runs, release([['shop', '0.2.0', { shop_counter: 'a2', shop_sup: 'b1' }], ['sasl', '4.2.1', { sasl: 'c1' }]]));
  expect(f).toMatchObject({ rule: 'release/same-version-new-bytes', effect: 'block' });
  expect(f!.message).toMatch(/shop \(shop_counter\); sasl 4\.2 → 4\.2\.1/);
  const [g] = sameVersionRules(runs, release([['shop', '0.2.0', { shop_counter: 'a1', shop_sup: 'b1' }]]));
  expect(g!.message).toMatch(/sasl 4\.2 → \(none\)/);
});
