import os from 'node:os';
import { describe, expect, test } from 'vitest';
import { expandRange, groupHosts, inventoryHosts, parseInventory, InventoryError } from '../../src/config/inventory.js';
import { parseConfig } from '../../src/config/load.js';
import { HotupError } from '../../src/errors.js';

const INI = `
# production, as ops keeps it
mail.example.com

[web]
web[01:03].example.com ansible_user=deploy
web-canary.example.com:2222 ansible_host=10.0.0.9 ansible_user="ops"   # the canary

[db]
db-[a:b].example.com

[shop:children]
web
db

[shop:vars]
ansible_user=shop
ansible_port = 2200

[all:vars]
ansible_python_interpreter=/usr/bin/python3
`;

const YAML = `
all:
  vars:
    ansible_user: root
  hosts:
    mail.example.com:
  children:
    shop:
      vars:
        ansible_user: shop
      children:
        web:
          hosts:
            web1.example.com:
              ansible_host: 10.0.0.5
            web2.example.com:
              ansible_host: 10.0.0.6
              ansible_port: 2222
              ansible_user: deploy
        db:
          hosts:
            db1.example.com:
`;

const names = (text: string, file: string, group: string) => groupHosts(parseInventory(text, file), group).map((h) => h.name);

describe('INI inventories', () => {
  test('groups, children, ranges and host:port', () => {
    expect(names(INI, 'hosts.ini', 'web')).toEqual(['web01.example.com', 'web02.example.com', 'web03.example.com', 'web-canary.example.com']);
    expect(names(INI, 'hosts.ini', 'shop')).toEqual([
      'web01.example.com', 'web02.example.com', 'web03.example.com', 'web-canary.example.com', 'db-a.example.com', 'db-b.example.com',
    ]);
    expect(names(INI, 'hosts', 'ungrouped')).toEqual(['mail.example.com']);
    expect(names(INI, 'hosts', 'all')).toHaveLength(7);
  });

  test('host vars win over group vars, a child group\'s over its parent\'s', () => {
    const hosts = inventoryHosts(INI, 'hosts.ini', 'shop', () => 'me');
    expect(hosts.map((h) => [h.raw, h.user, h.host, h.port])).toEqual([
      ['web01.example.com', 'deploy', 'web01.example.com', 2200],
      ['web02.example.com', 'deploy', 'web02.example.com', 2200],
      ['web03.example.com', 'deploy', 'web03.example.com', 2200],
      // host:port in the host line is the host's own ansible_port.
      ['web-canary.example.com', 'ops', '10.0.0.9', 2222],
      ['db-a.example.com', 'shop', 'db-a.example.com', 2200],
      ['db-b.example.com', 'shop', 'db-b.example.com', 2200],
    ]);
  });

  test('ranges: zero padding, letters, a step', () => {
    expect(expandRange('web[08:10]')).toEqual(['web08', 'web09', 'web10']);
    expect(expandRange('n[1:5:2].x')).toEqual(['n1.x', 'n3.x', 'n5.x']);
    expect(expandRange('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c']);
    expect(() => expandRange('web[3:1]')).toThrow(InventoryError);
  });

  test('a broken header is an error with its line', () => {
    expect(() => parseInventory('[web\nhost1\n', 'hosts')).toThrow('line 1: "[web" is not a group header');
  });
});

describe('YAML inventories', () => {
  test('all/children/hosts/vars, detected by extension or by shape', () => {
    for (const file of ['inventory.yml', 'hosts']) {
      expect(names(YAML, file, 'shop')).toEqual(['web1.example.com', 'web2.example.com', 'db1.example.com']);
      expect(names(YAML, file, 'ungrouped')).toEqual(['mail.example.com']);
    }
    const hosts = inventoryHosts(YAML, 'inventory.yml', 'shop', () => 'me');
    expect(hosts.map((h) => `${h.raw} ${h.user}@${h.host}:${h.port}`)).toEqual([
      'web1.example.com shop@10.0.0.5:22',
      'web2.example.com deploy@10.0.0.6:2222',
      'db1.example.com shop@db1.example.com:22',
    ]);
  });

  test('a host without ansible_user takes the current login; an IPv6 ansible_host works', () => {
    const hosts = inventoryHosts('web:\n  hosts:\n    w1:\n      ansible_host: "fd00::5"\n', 'i.yaml', 'web', () => 'me');
    expect(hosts).toEqual([{ raw: 'w1', user: 'me', host: 'fd00::5', port: 22, defaulted: { user: true, port: true } }]);
  });

  test('an unknown key in a group is refused', () => {
    expect(() => parseInventory('all:\n  host:\n    a:\n', 'i.yml')).toThrow('all has an unknown key "host"');
  });
});

test('an unknown group names the known ones, with the likely one', () => {
  expect(() => groupHosts(parseInventory(INI, 'hosts'), 'wbe')).toThrow('has no group "wbe" (did you mean web?); its groups are: all, db, shop, ungrouped, web');
});

describe('inventory in hotup.yml', () => {
  const FILE = '/srv/project/hotup.yml';
  const config = (env: string) => `app: shop\nenvironments:\n  prod:\n${env}    deploy_to: /opt/shop\n`;
  const files: Record<string, string> = { '/srv/project/deploy/hosts.ini': INI, [`${os.homedir()}/inv.yml`]: YAML };
  const read = (p: string) => {
    if (files[p] === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
    return files[p];
  };
  const problems = (text: string) => {
    try {
      parseConfig(text, FILE, read);
    } catch (e) {
      expect(e).toBeInstanceOf(HotupError);
      return (e as HotupError).message.split('\n').slice(1).map((l) => l.trim());
    }
    throw new Error('expected a config error');
  };

  test('an environment takes the hosts of a group, relative to hotup.yml or from ~', () => {
    const c = parseConfig(config('    inventory: {file: deploy/hosts.ini, group: db}\n'), FILE, read);
    expect(c.environments.prod!.hosts.map((h) => h.raw)).toEqual(['db-a.example.com', 'db-b.example.com']);
    const y = parseConfig(config('    inventory: {file: ~/inv.yml, group: web}\n'), FILE, read);
    expect(y.environments.prod!.hosts.map((h) => `${h.user}@${h.host}`)).toEqual(['shop@10.0.0.5', 'deploy@10.0.0.6']);
  });

  test('errors name the path: unknown group, missing file, a misspelt key, hosts and inventory both', () => {
    expect(problems(config('    inventory: {file: deploy/hosts.ini, group: webs}\n'))).toEqual([
      'environments/prod/inventory/group: deploy/hosts.ini has no group "webs" (did you mean web?); its groups are: all, db, shop, ungrouped, web',
    ]);
    expect(problems(config('    inventory: {file: hosts.ini, group: web}\n'))).toEqual([
      "environments/prod/inventory/file: cannot be read: ENOENT: no such file or directory, open '/srv/project/hosts.ini'",
    ]);
    expect(problems(config('    inventory: {file: deploy/hosts.ini, gruop: web}\n'))).toEqual([
      'environments/prod/inventory/group: is required (a group of the inventory, like web or all)',
      'environments/prod/inventory/gruop: unknown key "gruop" (did you mean group?)',
    ]);
    expect(problems(config('    hosts: [a@b]\n    inventory: {file: deploy/hosts.ini, group: web}\n'))).toEqual([
      'environments/prod/hosts: and inventory cannot both be set: keep one',
    ]);
  });

  test('two inventory names for one host are refused', () => {
    files['/srv/project/dup.ini'] = '[web]\nweb1 ansible_host=10.0.0.5 ansible_user=deploy\nweb1-again ansible_host=10.0.0.5 ansible_user=deploy\n';
    expect(problems(config('    inventory: {file: dup.ini, group: web}\n'))).toEqual([
      'environments/prod/inventory/group: dup.ini: hosts web1 and web1-again are the same host',
    ]);
  });
});
