import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { selectTarget } from '../../src/config/select.js';
import { HotupError } from '../../src/errors.js';

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
