import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseHostSpec } from '../../src/config/host-spec.js';
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
const me = os.userInfo().username;

/** The rejection of a config: its message, split into the header and the problem lines. */
function rejection(text: string): { header: string; lines: string[] } {
  try {
    parseConfig(text, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(HotupError);
    expect((e as HotupError).code).toBe('CONFIG_INVALID');
    expect((e as HotupError).remedy).toMatch(/docs\/config\.md/);
    const [header = '', ...lines] = (e as HotupError).message.split('\n');
    return { header, lines: lines.map((l) => l.trim()) };
  }
  throw new Error('expected the config to be rejected');
}

const problems = (text: string) => rejection(text).lines;

/** A config whose only environment, prod, has BODY (indented four spaces). */
const env = (body: string) => `app: shop\nenvironments:\n  prod:\n${body}`;

describe('a valid config', () => {
  test('the example parses to the exact typed config', () => {
    expect(parseConfig(EXAMPLE, FILE)).toEqual({
      file: FILE,
      root: '/srv/project',
      app: 'shop',
      build: {
        host: 'local',
        tool: 'rebar3',
        path: '/srv/project',
        profile: 'prod',
        ssh: { commandTimeoutMs: 120_000, config: `${home}/.ssh/config` },
        task: 'distillery.release',
        appups: 'generate',
      },
      environments: {
        prod: {
          name: 'prod',
          hosts: [
            { raw: 'deploy@10.0.0.5', user: 'deploy', host: '10.0.0.5', port: 22, defaulted: { port: true } },
            { raw: 'deploy@10.0.0.6:2222', user: 'deploy', host: '10.0.0.6', port: 2222 },
          ],
          deployTo: '/opt/shop',
          env: {},
          nodeWaitMs: 60_000,
          ssh: {
            identity: `${home}/.ssh/id_ed25519`,
            knownHosts: `${home}/.ssh/known_hosts`,
            commandTimeoutMs: 120_000,
            config: `${home}/.ssh/config`,
          },
        },
      },
      hooks: {},
    });
  });

  test('defaults: no build section, no ssh block, hosts without user@ or port', () => {
    const c = parseConfig(env('    hosts: [web1, "[::1]:2200", db.example.com]\n    deploy_to: /opt/shop/\n'), FILE);
    expect(c.build).toEqual({
      host: 'local',
      tool: 'rebar3',
      path: '/srv/project',
      profile: 'prod',
      ssh: { commandTimeoutMs: 120_000, config: `${home}/.ssh/config` },
      task: 'distillery.release',
      appups: 'generate',
    });
    // What the host string leaves out may come from the ssh config (User, Port).
    expect(c.environments.prod!.hosts).toEqual([
      { raw: 'web1', user: me, host: 'web1', port: 22, defaulted: { user: true, port: true } },
      { raw: '[::1]:2200', user: me, host: '::1', port: 2200, defaulted: { user: true } },
      { raw: 'db.example.com', user: me, host: 'db.example.com', port: 22, defaulted: { user: true, port: true } },
    ]);
    expect(c.environments.prod!.deployTo).toBe('/opt/shop');
    expect(c.environments.prod!.ssh.identity).toBeUndefined();
  });

  test('the top-level ssh block is overridden key by key, per environment and for the build host', () => {
    const c = parseConfig(
      [
        'app: shop',
        'ssh:',
        '  identity: keys/deploy',
        '  connect_timeout: 3',
        'build:',
        '  ssh:',
        '    command_timeout: 600',
        'environments:',
        '  prod:',
        '    hosts: [a@b]',
        '    deploy_to: /o',
        '    ssh:',
        '      identity: ~/prod_key',
        '      known_hosts: /etc/ssh/ssh_known_hosts',
        '      config: false',
        '',
      ].join('\n'),
      FILE,
    );
    expect(c.environments.prod!.ssh).toEqual({
      identity: `${home}/prod_key`,
      knownHosts: '/etc/ssh/ssh_known_hosts',
      connectTimeoutMs: 3000,
      commandTimeoutMs: 120_000,
    });
    expect(c.build.ssh).toEqual({
      identity: '/srv/project/keys/deploy',
      connectTimeoutMs: 3000,
      commandTimeoutMs: 600_000,
      config: `${home}/.ssh/config`,
    });
  });

  test('ssh.config names another OpenSSH config file, relative to hotup.yml', () => {
    const c = parseConfig(env('    hosts: [a@b]\n    deploy_to: /o\n    ssh:\n      config: ops/ssh_config\n'), FILE);
    expect(c.environments.prod!.ssh.config).toBe('/srv/project/ops/ssh_config');
    expect(problems(env('    hosts: [a@b]\n    deploy_to: /o\n    ssh:\n      config: true\n'))).toEqual([
      'environments/prod/ssh/config: should be a path to an OpenSSH client config file, or false',
    ]);
  });

  test('a local build path resolves from the config file; a remote one is relative to the login home', () => {
    expect(parseConfig(env('    hosts: [a@b]\n    deploy_to: /o\n').replace('environments', 'build:\n  path: ../shop\nenvironments'), FILE).build.path)
      .toBe('/srv/shop');
    const remote = (p: string) =>
      parseConfig(`app: shop\nbuild:\n  host: ci@builder:2201\n  path: ${p}\nenvironments:\n  prod:\n    hosts: [a@b]\n    deploy_to: /o\n`, FILE).build;
    expect(remote('~/src/shop')).toMatchObject({ host: { raw: 'ci@builder:2201', user: 'ci', host: 'builder', port: 2201 }, path: 'src/shop' });
    expect(remote('src/shop').path).toBe('src/shop');
    expect(remote('/srv/build').path).toBe('/srv/build');
  });

  test('a host without user@ when the current user is unknown', () => {
    expect(parseHostSpec('web1', () => undefined)).toEqual({ error: 'has no user@ and the current user is unknown: write it as user@host' });
    expect(parseHostSpec('ops@web1', () => undefined)).toEqual({ raw: 'ops@web1', user: 'ops', host: 'web1', port: 22, defaulted: { port: true } });
  });
});

describe('errors name the path of each problem', () => {
  test('unknown top-level key, with and without a suggestion', () => {
    expect(problems(`${EXAMPLE}colour: blue\nenviroments: {}\n`)).toEqual([
      'colour: unknown key "colour"',
      'enviroments: unknown key "enviroments" (did you mean environments?)',
    ]);
  });

  test('unknown nested keys, with suggestions', () => {
    expect(problems(env('    hsots: [a@b]\n    hosts: [a@b]\n    deploy_to: /o\n'))).toEqual([
      'environments/prod/hsots: unknown key "hsots" (did you mean hosts?)',
    ]);
    expect(problems(env('    hosts: [a@b]\n    deploy_to: /o\n    ssh:\n      known-hosts: x\n      port: 22\n'))).toEqual([
      'environments/prod/ssh/known-hosts: unknown key "known-hosts" (did you mean known_hosts?)',
      'environments/prod/ssh/port: unknown key "port"',
    ]);
  });

  test('wrong types', () => {
    expect(problems(env('    hosts: a@b\n    deploy_to: /o\n'))).toEqual(['environments/prod/hosts: should be a list of hosts']);
    expect(problems(env('    hosts: [a@b]\n    deploy_to: /o\n    ssh:\n      connect_timeout: soon\n'))).toEqual([
      'environments/prod/ssh/connect_timeout: should be a number of seconds',
    ]);
    expect(problems(EXAMPLE.replace('tool: rebar3', 'tool: make'))).toEqual(['build/tool: should be rebar3, mix, distillery or custom']);
    expect(problems('app: shop\nbuild: [x]\nenvironments:\n  prod:\n')).toEqual([
      'build: should be a map of build settings',
      'environments/prod: should be a map with hosts (or inventory) and deploy_to',
    ]);
    expect(problems('- app\n')).toEqual(['(top level): should be a map with app, build, ssh and environments']);
  });

  test('bad host strings', () => {
    expect(problems(env('    hosts: ["deploy@@x", "a b@c", "a@fe80::1", "a@999.0.0.1", 12]\n    deploy_to: /o\n'))).toEqual([
      'environments/prod/hosts/0: should be a host like user@host or user@host:port',
      'environments/prod/hosts/1: should be a host like user@host or user@host:port',
      'environments/prod/hosts/2: should put an IPv6 address in brackets, like [fe80::1] or [fe80::1]:22',
      'environments/prod/hosts/3: has an invalid IPv4 address "999.0.0.1"',
      'environments/prod/hosts/4: should be a host like user@host or user@host:port',
    ]);
    expect(problems(EXAMPLE.replace('host: local', 'host: "ci@"'))).toEqual([
      'build/host: should be "local" or a host like user@host or user@host:port',
    ]);
  });

  test('bad ports', () => {
    expect(problems(env('    hosts: ["a@b:0", "a@b:70000", "a@b:abc"]\n    deploy_to: /o\n'))).toEqual([
      'environments/prod/hosts/0: should have a port from 1 to 65535, not 0',
      'environments/prod/hosts/1: should have a port from 1 to 65535, not 70000',
      'environments/prod/hosts/2: should have a port from 1 to 65535, not "abc"',
    ]);
  });

  test('missing app, relative deploy_to, empty hosts', () => {
    expect(problems('environments:\n  prod:\n    hosts: []\n    deploy_to: opt/shop\n')).toEqual([
      'app: is required (the release name)',
      'environments/prod/hosts: should list at least one host',
      'environments/prod/deploy_to: should be an absolute path (starting with /)',
    ]);
    expect(problems('app: Shop-2\nenvironments:\n  prod:\n    deploy_to: ~/shop\n')).toEqual([
      'app: should be a release name: lowercase letters, digits and _, starting with a letter',
      'environments/prod/deploy_to: should be an absolute path (starting with /)',
      'environments/prod/hosts: is required (a list of hosts, or inventory: {file, group} instead)',
    ]);
  });

  test('duplicate hosts, however they are written', () => {
    expect(problems(env(`    hosts: [a@b, "a@b:22", c@d, "c@D", ${me}@e, e]\n    deploy_to: /o\n`))).toEqual([
      'environments/prod/hosts/1: a@b:22 is the same host as hosts/0',
      'environments/prod/hosts/3: c@D is the same host as hosts/2',
      'environments/prod/hosts/5: e is the same host as hosts/4',
    ]);
  });

  test('environments: none, or a bad name', () => {
    expect(problems('app: shop\nenvironments: {}\n')).toEqual(['environments: should define at least one environment']);
    expect(problems('app: shop\n')).toEqual(['environments: is required (a map of environments)']);
    expect(problems('app: shop\nenvironments:\n  "prod eu":\n    hosts: [a@b]\n    deploy_to: /o\n')).toEqual([
      'environments/prod eu: should be an environment name: letters, digits, _ and -',
    ]);
  });

  test('several problems, at different depths and of different kinds, are all reported at once', () => {
    const { header, lines } = rejection(
      [
        'app: Shop',
        'colour: blue',
        'build:',
        '  profil: prod',
        'environments:',
        '  prod:',
        '    hosts: [a@b, "a@b:70000", a@b]',
        '    hsots: []',
        '  staging:',
        '    hosts: [x@y]',
        '    ssh:',
        '      connect_timeout: -1',
        '',
      ].join('\n'),
    );
    expect(header).toBe('/srv/project/hotup.yml has 9 problems:');
    // Each mapping's own problems first, then the keys it does not know.
    expect(lines).toEqual([
      'app: should be a release name: lowercase letters, digits and _, starting with a letter',
      'build/profil: unknown key "profil" (did you mean profile?)',
      'environments/prod/hosts/1: should have a port from 1 to 65535, not 70000',
      'environments/prod/hosts/2: a@b is the same host as hosts/0',
      'environments/prod/deploy_to: is required (an absolute path)',
      'environments/prod/hsots: unknown key "hsots" (did you mean hosts?)',
      'environments/staging/deploy_to: is required (an absolute path)',
      'environments/staging/ssh/connect_timeout: should be more than 0 seconds',
      'colour: unknown key "colour"',
    ]);
  });

  test('invalid YAML names the line and column', () => {
    expect(rejection('app: shop\nenvironments:\n  prod:\n    hosts: [a@b\n    deploy_to: /o\n')).toEqual({
      header: '/srv/project/hotup.yml has 1 problem:',
      lines: ['line 5, column 5: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    });
    expect(problems('app: shop\napp: cart\n')).toEqual(['line 2, column 1: Map keys must be unique']);
  });

  test('an empty file reports the required keys', () => {
    expect(problems('')).toEqual(['app: is required (the release name)', 'environments: is required (a map of environments)']);
  });
});

describe('finding the file', () => {
  test('upward from a subdirectory, or --config relative to the cwd', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-cfg-'));
    await mkdir(path.join(dir, 'a/b'), { recursive: true });
    await writeFile(path.join(dir, 'hotup.yml'), EXAMPLE);
    expect(findConfigFile(path.join(dir, 'a/b'))).toBe(path.join(dir, 'hotup.yml'));
    expect((await loadConfig({ cwd: path.join(dir, 'a/b') })).file).toBe(path.join(dir, 'hotup.yml'));
    const c = await loadConfig({ cwd: path.join(dir, 'a'), configPath: '../hotup.yml' });
    expect(c.file).toBe(path.join(dir, 'hotup.yml'));
    expect(c.build.path).toBe(dir);
  });

  test('none found: CONFIG_NOT_FOUND with a remedy', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-cfg-'));
    let err: unknown;
    try {
      findConfigFile(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: `no hotup.yml in ${dir} or any directory above it`,
      remedy: 'Run hotup inside your project, create hotup.yml at its root (see docs/config.md), or pass --config <file>.',
    });
  });

  test('--config naming a missing file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-cfg-'));
    await expect(loadConfig({ cwd: dir, configPath: 'nope.yml' })).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: `${path.join(dir, 'nope.yml')} does not exist`,
      remedy: 'Check the path given to --config, or leave --config out to use the nearest hotup.yml.',
    });
  });
});

describe('fleet and fallback keys', () => {
  const env = (body: string) => `app: shop\nenvironments:\n  prod:\n${body}`;

  test('health, restart, node_wait, env, hosts as maps, hooks', () => {
    const c = parseConfig(
      `app: shop\nhooks:\n  before_upgrade: ./migrate.sh\nenvironments:\n  prod:\n    deploy_to: /opt/shop\n    env: { RELEASE_COOKIE: abc }\n` +
        `    hosts:\n      - a@h1\n      - host: a@h2:2222\n        deploy_to: /srv/shop\n        env: { NODE: b }\n` +
        `    health: { http: "http://{host}:4000/health", retries: 3 }\n    restart: { command: /etc/init.d/shop restart }\n    node_wait: 30\n`,
      FILE,
    );
    const prod = c.environments.prod!;
    expect(prod.hosts[1]).toMatchObject({ host: 'h2', port: 2222, deployTo: '/srv/shop', env: { NODE: 'b' } });
    expect(prod.env).toEqual({ RELEASE_COOKIE: 'abc' });
    expect(prod.health).toEqual({ probe: { kind: 'http', url: 'http://{host}:4000/health' }, timeoutMs: 5_000, retries: 3, intervalMs: 1_000 });
    expect(prod.restart).toEqual({ kind: 'command', command: '/etc/init.d/shop restart' });
    expect(prod.nodeWaitMs).toBe(30_000);
    expect(c.hooks).toEqual({ before_upgrade: './migrate.sh' });
  });

  test('their errors name their paths', () => {
    expect(problems(env('    hosts: [a@b]\n    deploy_to: /o\n    health: { tcp: 80, http: "http://x" }\n'))).toEqual([
      'environments/prod/health: should have exactly one of command, tcp or http',
    ]);
    expect(problems(env('    hosts: [{ host: "a@@b", deploy_to: rel }]\n    deploy_to: /o\n'))).toEqual([
      'environments/prod/hosts/0/deploy_to: should be an absolute path (starting with /)',
    ]);
    expect(problems(env('    hosts: [{ host: "a@@b" }]\n    deploy_to: /o\n'))).toEqual([
      'environments/prod/hosts/0/host: should be a host like user@host or user@host:port',
    ]);
    expect(problems(`${env('    hosts: [a@b]\n    deploy_to: /o\n')}hooks:\n  before_deploy: x\n`)).toEqual([
      'hooks/before_deploy: unknown key "before_deploy"',
    ]);
  });
});

describe('restart and prune', () => {
  const env = (body: string) => `app: shop\nenvironments:\n  prod:\n    hosts: [a@b]\n    deploy_to: /o\n${body}`;

  test('restart through systemd, with sudo; prune keep', () => {
    const prod = parseConfig(env('    restart: { systemd: shop.service, sudo: true }\n    prune: { keep: 3 }\n'), FILE).environments.prod!;
    expect(prod.restart).toEqual({ kind: 'systemd', unit: 'shop.service', sudo: true });
    expect(prod.prune).toEqual({ keep: 3 });
    expect(parseConfig(env('    restart: { systemd: shop }\n'), FILE).environments.prod!.restart).toEqual({ kind: 'systemd', unit: 'shop', sudo: false });
  });

  test('one way to restart: the old restart_command names the new key; systemd or command, sudo only with systemd', () => {
    expect(problems(env('    restart_command: systemctl restart shop\n'))).toEqual([
      'environments/prod/restart_command: was replaced: write restart: { command: "…" }, or restart: { systemd: <unit> } (see docs/config.md)',
    ]);
    expect(problems(env('    restart: { systemd: shop, command: x }\n'))).toEqual(['environments/prod/restart: should have exactly one of systemd or command']);
    expect(problems(env('    restart: { command: x, sudo: true }\n'))).toEqual(['environments/prod/restart/sudo: is only for systemd (a command says sudo itself)']);
    expect(problems(env('    restart: { systemd: "shop; rm -rf /" }\n'))).toEqual(['environments/prod/restart/systemd: should be a systemd unit name, like shop or shop.service']);
    expect(problems(env('    prune: { keep: -1 }\n'))).toEqual(['environments/prod/prune/keep: should be 0 or more']);
  });
});

describe('build backends', () => {
  test('custom needs a command, and its keys are custom-only', () => {
    const build = (b: string) => `app: shop\nbuild:\n${b}environments:\n  prod:\n    hosts: [a@b]\n    deploy_to: /o\n`;
    expect(parseConfig(build('  tool: distillery\n  task: release\n'), FILE).build).toMatchObject({ task: 'release' });
    expect(parseConfig(build('  tool: custom\n  command: make rel\n'), FILE).build).toMatchObject({ command: 'make rel' });
    expect(problems(build('  tool: custom\n'))).toEqual(['build/command: is required (a shell command) when tool is custom']);
    expect(problems(build('  tool: rebar3\n  command: make\n  task: x\n'))).toEqual([
      'build/command: is only for tool: custom',
      'build/task: is only for tool: distillery',
    ]);
  });

  test('appups: generate (the default) or off, for the builds whose relup hotup makes', () => {
    const build = (b: string) => `app: shop\nbuild:\n${b}environments:\n  prod:\n    hosts: [a@b]\n    deploy_to: /o\n`;
    expect(parseConfig(build('  tool: rebar3\n  appups: off\n'), FILE).build.appups).toBe('off');
    expect(parseConfig(build('  tool: mix\n'), FILE).build.appups).toBe('generate');
    expect(problems(build('  tool: mix\n  appups: never\n'))).toEqual(['build/appups: should be generate or off']);
    expect(problems(build('  tool: custom\n  command: make\n  appups: off\n'))).toEqual([
      'build/appups: is only for tool: rebar3 or mix (other builds make their own relup)',
    ]);
  });
});

describe('YAML aliases', () => {
  test('a document that expands an alias exponentially is a config error, not a crash', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    let err: unknown;
    try {
      parseConfig(`${levels.join('\n')}\napp: shop\n`, 'hotup.yml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HotupError);
    expect((err as HotupError).code).toBe('CONFIG_INVALID');
    expect((err as HotupError).message).toMatch(/alias/i);
  });

  test('a few aliases, as people use them to share settings, still work', () => {
    const text = ['app: shop', 'build: {tool: rebar3}', 'environments:',
      '  prod: {hosts: [a@h1], deploy_to: /opt/shop, ssh: &ssh {known_hosts: /etc/kh}}', '  stage: {hosts: [a@h2], deploy_to: /opt/shop, ssh: *ssh}'].join('\n');
    const config = parseConfig(text, 'hotup.yml');
    expect(config.environments.stage?.ssh.knownHosts).toBe('/etc/kh');
    expect(config.environments.prod?.ssh.knownHosts).toBe('/etc/kh');
  });
});
