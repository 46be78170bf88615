import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { findConfigFile, loadConfig, parseConfig } from '../../src/config/load.js';
import { HotupError } from '../../src/errors.js';

const EXAMPLE = `
app: shop                      # release name
build:
  host: local                  # later also user@buildhost
  tool: rebar3                 # later also mix, distillery, custom
  path: .                      # project dir on the build host
  profile: prod
environments:
  prod:
    hosts: [deploy@10.0.0.5, deploy@10.0.0.6:2222]
    deploy_to: /opt/shop       # release root on the host: bin/, lib/, releases/
    ssh:
      identity: ~/.ssh/id_ed25519   # else the ssh agent
      known_hosts: ~/.ssh/known_hosts
`;

const FILE = '/srv/project/hotup.yml';
const home = os.homedir();

/** The problem lines of a CONFIG_INVALID error. */
function problems(text: string): string[] {
  try {
    parseConfig(text, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(HotupError);
    expect((e as HotupError).code).toBe('CONFIG_INVALID');
    expect((e as HotupError).remedy).toMatch(/docs\/config\.md/);
    return (e as HotupError).message.split('\n').slice(1).map((l) => l.trim());
  }
  throw new Error('expected the config to be rejected');
}

describe('the example config', () => {
  test('parses to the exact typed config', () => {
    expect(parseConfig(EXAMPLE, FILE)).toEqual({
      file: FILE,
      root: '/srv/project',
      app: 'shop',
      build: {
        host: 'local',
        tool: 'rebar3',
        path: '/srv/project',
        profile: 'prod',
        ssh: { knownHosts: `${home}/.ssh/known_hosts`, connectTimeoutMs: 10_000, commandTimeoutMs: 120_000 },
      },
      environments: {
        prod: {
          name: 'prod',
          hosts: [
            { raw: 'deploy@10.0.0.5', user: 'deploy', host: '10.0.0.5', port: 22 },
            { raw: 'deploy@10.0.0.6:2222', user: 'deploy', host: '10.0.0.6', port: 2222 },
          ],
          deployTo: '/opt/shop',
          ssh: {
            identity: `${home}/.ssh/id_ed25519`,
            knownHosts: `${home}/.ssh/known_hosts`,
            connectTimeoutMs: 10_000,
            commandTimeoutMs: 120_000,
          },
        },
      },
    });
  });

  test('defaults: build section, ssh settings, the current user', () => {
    const c = parseConfig('app: shop\nenvironments:\n  prod:\n    hosts: [web1, "[::1]:2200"]\n    deploy_to: /opt/shop/\n', FILE);
    expect(c.build).toMatchObject({ host: 'local', tool: 'rebar3', path: '/srv/project', profile: 'prod' });
    expect(c.environments.prod!.hosts).toEqual([
      { raw: 'web1', user: os.userInfo().username, host: 'web1', port: 22 },
      { raw: '[::1]:2200', user: os.userInfo().username, host: '::1', port: 2200 },
    ]);
    expect(c.environments.prod!.deployTo).toBe('/opt/shop');
    expect(c.environments.prod!.ssh.identity).toBeUndefined();
  });

  test('a top-level ssh block is overridden key by key per environment', () => {
    const c = parseConfig(
      'app: shop\nssh:\n  identity: /k/global\n  connect_timeout: 3\nenvironments:\n  prod:\n    hosts: [a@b]\n    deploy_to: /o\n    ssh:\n      identity: /k/prod\n',
      FILE,
    );
    expect(c.environments.prod!.ssh).toMatchObject({ identity: '/k/prod', connectTimeoutMs: 3000 });
    expect(c.build.ssh).toMatchObject({ identity: '/k/global' });
  });

  test('a remote build host keeps its path as written', () => {
    const c = parseConfig('app: shop\nbuild:\n  host: ci@builder:2201\n  path: src/shop\nenvironments:\n  prod:\n    hosts: [a@b]\n    deploy_to: /o\n', FILE);
    expect(c.build.host).toEqual({ raw: 'ci@builder:2201', user: 'ci', host: 'builder', port: 2201 });
    expect(c.build.path).toBe('src/shop');
  });
});

describe('errors name the path of each problem', () => {
  const env = (body: string) => `app: shop\nenvironments:\n  prod:\n${body}`;

  test('unknown top-level key', () => {
    expect(problems(`${EXAMPLE}\ncolour: blue\n`)).toEqual(['colour: unknown key "colour"']);
  });

  test('unknown nested key, with a suggestion', () => {
    expect(problems(env('    hsots: [a@b]\n    hosts: [a@b]\n    deploy_to: /o\n'))).toEqual([
      'environments/prod/hsots: unknown key "hsots" (did you mean hosts?)',
    ]);
    expect(problems(env('    hosts: [a@b]\n    deploy_to: /o\n    ssh:\n      knownhosts: x\n'))).toEqual([
      'environments/prod/ssh/knownhosts: unknown key "knownhosts" (did you mean known_hosts?)',
    ]);
  });

  test('wrong types', () => {
    expect(problems(env('    hosts: a@b\n    deploy_to: /o\n'))).toEqual(['environments/prod/hosts: should be a list of hosts']);
    expect(problems(env('    hosts: [a@b]\n    deploy_to: /o\n    ssh:\n      connect_timeout: soon\n'))).toEqual([
      'environments/prod/ssh/connect_timeout: should be a number of seconds',
    ]);
    expect(problems(EXAMPLE.replace('tool: rebar3', 'tool: make'))).toEqual(['build/tool: should be one of rebar3, mix, distillery, custom']);
  });

  test('bad host strings and ports', () => {
    expect(problems(env('    hosts: ["deploy@@x", "a@b:0", "a@b:70000", "a@b:abc"]\n    deploy_to: /o\n'))).toEqual([
      'environments/prod/hosts/0: should be a host like user@host or user@host:port',
      'environments/prod/hosts/1: port 0 is out of range (1-65535)',
      'environments/prod/hosts/2: port 70000 is out of range (1-65535)',
      'environments/prod/hosts/3: should be a host like user@host or user@host:port',
    ]);
  });

  test('missing app, relative deploy_to, empty hosts', () => {
    expect(problems('environments:\n  prod:\n    hosts: []\n    deploy_to: opt/shop\n')).toEqual([
      'app: is required (the release name)',
      'environments/prod/hosts: should list at least one host',
      'environments/prod/deploy_to: should be an absolute path (starting with /)',
    ]);
  });

  test('duplicate hosts', () => {
    expect(problems(env('    hosts: [a@b, "a@b:22"]\n    deploy_to: /o\n'))).toEqual(['environments/prod/hosts/1: a@b:22 is listed twice']);
  });

  test('no environments', () => {
    expect(problems('app: shop\nenvironments: {}\n')).toEqual(['environments: should define at least one environment']);
  });

  test('several problems are all reported at once', () => {
    const lines = problems('app: Shop\nbuild:\n  profil: prod\nenvironments:\n  prod:\n    hosts: [a@b]\n');
    expect(lines).toEqual([
      'app: should be a release name: lowercase letters, digits and _ , starting with a letter',
      'build/profil: unknown key "profil" (did you mean profile?)',
      'environments/prod/deploy_to: is required (an absolute path)',
    ]);
  });

  test('invalid YAML names the line', () => {
    const lines = problems('app: shop\nenvironments:\n  prod:\n    hosts: [a@b\n    deploy_to: /o\n');
    expect(lines[0]).toMatch(/^line \d+, column \d+: /);
  });

  test('the message names the file', () => {
    expect(() => parseConfig('app: 1\n', FILE)).toThrow(/^\/srv\/project\/hotup\.yml has \d+ problems?:/);
  });
});

describe('finding the file', () => {
  test('upward from a subdirectory, or --config', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-cfg-'));
    await mkdir(path.join(dir, 'a/b'), { recursive: true });
    await writeFile(path.join(dir, 'hotup.yml'), EXAMPLE);
    expect(findConfigFile(path.join(dir, 'a/b'))).toBe(path.join(dir, 'hotup.yml'));
    const c = await loadConfig({ cwd: path.join(dir, 'a'), configPath: '../hotup.yml' });
    expect(c.file).toBe(path.join(dir, 'hotup.yml'));
    expect(c.build.path).toBe(dir);
  });

  test('none found, or --config missing: a clear error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-cfg-'));
    expect(() => findConfigFile(dir)).toThrow(/no hotup\.yml in/);
    await expect(loadConfig({ cwd: dir, configPath: 'nope.yml' })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
  });
});
