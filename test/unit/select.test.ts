import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { selectTarget } from '../../src/config/select.js';
import { runApply } from '../../src/core/deploy.js';
import { lockStatus } from '../../src/core/fleet.js';
import { discoverEnvironment } from '../../src/core/status.js';
import { HotupError } from '../../src/errors.js';
import { FakeHost, fakeContext, fakePlan } from '../support/fake-host.js';

const FILE = '/srv/project/hotup.yml';
const ONE = `
app: shop
environments:
  prod:
    hosts: [deploy@10.0.0.5, deploy@10.0.0.6:2222, {host: ops@10.0.0.7, deploy_to: /srv/shop}]
    deploy_to: /opt/shop
`;
const TWO = `${ONE}
  staging:
    hosts: [deploy@10.1.0.5]
    deploy_to: /opt/shop
`;

function usage(f: () => unknown): HotupError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HotupError);
    expect((e as HotupError).code).toBe('USAGE');
    return e as HotupError;
  }
  throw new Error('expected a usage error');
}

describe('the environment a command acts on', () => {
  test('with one environment, a command needs no ENV', () => {
    const t = selectTarget(parseConfig(ONE, FILE), undefined, []);
    expect(t.env).toBe('prod');
    expect(t.config.environments.prod!.hosts).toHaveLength(3);
  });

  test('with several, a missing ENV is a usage error listing them', () => {
    const e = usage(() => selectTarget(parseConfig(TWO, FILE), undefined, []));
    expect(e.message).toContain('2 environments');
    expect(e.message).toContain('prod, staging');
    expect(selectTarget(parseConfig(TWO, FILE), 'staging', []).env).toBe('staging');
  });

  test('an unknown ENV lists the known ones', () => {
    expect(usage(() => selectTarget(parseConfig(TWO, FILE), 'prd', [])).remedy).toBe('Use one of: prod, staging.');
  });
});

describe('--host', () => {
  const config = parseConfig(TWO, FILE);

  test('keeps only the named hosts, in the order of the config, in the config every flow reads', () => {
    const t = selectTarget(config, 'prod', ['deploy@10.0.0.6:2222', 'deploy@10.0.0.5']);
    expect(t.config.environments.prod!.hosts.map((h) => h.raw)).toEqual(['deploy@10.0.0.5', 'deploy@10.0.0.6:2222']);
    // The other environments and the original config are untouched.
    expect(t.config.environments.staging).toBe(config.environments.staging);
    expect(config.environments.prod!.hosts).toHaveLength(3);
  });

  test('a host may be named by its address or user@address when only one host has it; its own settings go with it', () => {
    const t = selectTarget(config, 'prod', ['10.0.0.7', 'deploy@10.0.0.6', '10.0.0.6']);
    expect(t.config.environments.prod!.hosts.map((h) => h.raw)).toEqual(['deploy@10.0.0.6:2222', 'ops@10.0.0.7']);
    expect(t.config.environments.prod!.hosts[1]!.deployTo).toBe('/srv/shop');
  });

  test('an unknown name is a usage error listing the hosts', () => {
    const e = usage(() => selectTarget(config, 'prod', ['deploy@10.0.0.9']));
    expect(e.message).toBe('--host deploy@10.0.0.9 is not a host of environment prod; its hosts are: deploy@10.0.0.5, deploy@10.0.0.6:2222, ops@10.0.0.7');
  });

  test('a name two hosts share is refused, naming both', () => {
    const twice = parseConfig(`
app: shop
environments:
  prod:
    hosts: [deploy@10.0.0.5, ops@10.0.0.5]
    deploy_to: /opt/shop
`, FILE);
    expect(usage(() => selectTarget(twice, undefined, ['10.0.0.5'])).message).toContain('matches 2 hosts of environment prod: deploy@10.0.0.5, ops@10.0.0.5');
  });
});

describe('--host in the flows: only the chosen hosts are read, locked and changed', () => {
  const OLD = '0.1.0';
  const NEW = '0.2.0';

  test('hosts on different versions: the ones still on the old version are upgraded on their own; the other is never reached', async () => {
    const fakes = ['deploy@h1:22', 'deploy@h2:22', 'deploy@h3:22'].map((name, i) => new FakeHost({ name, releases: [{ vsn: i === 0 ? NEW : OLD, status: 'permanent' }] }));
    const { ctx } = fakeContext(fakes);
    // Without --host the fleet disagrees (what plan refuses).
    expect(new Set((await discoverEnvironment(ctx, 'prod')).map((s) => s.running))).toEqual(new Set([NEW, OLD]));
    fakes[0]!.log.length = 0;

    const target = selectTarget(ctx.config, undefined, ['deploy@h3:22', 'deploy@h2:22']);
    const narrowed = { ...ctx, config: target.config };
    const statuses = await discoverEnvironment(narrowed, target.env);
    expect(statuses.map((s) => [s.host, s.running])).toEqual([['deploy@h2:22', OLD], ['deploy@h3:22', OLD]]);

    const result = await runApply(narrowed, target.env, {}, async () => undefined, async () => fakePlan(fakes.slice(1), OLD, NEW));
    expect(result.hosts.map((h) => [h.host, h.outcome])).toEqual([['deploy@h2:22', 'upgraded'], ['deploy@h3:22', 'upgraded']]);
    expect(fakes.map((f) => f.running)).toEqual([NEW, NEW, NEW]);
    // The host left out: no lock taken, nothing read, nothing journaled.
    expect(fakes[0]!.log).toEqual([]);
    expect(fakes[0]!.journal()).toEqual([]);
    expect(fakes.every((f) => !f.locked)).toBe(true);
    expect((await lockStatus(narrowed, target.env)).map((l) => l.host)).toEqual(['deploy@h2:22', 'deploy@h3:22']);
  });
});
