import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { HostSpec, SshSettings } from '../../src/config/types.js';
import { HotupError } from '../../src/errors.js';
import { loadSshConfig } from '../../src/remote/ssh-config-file.js';
import { expandTokens, hostOptions, matchesPatterns, parseJump, parseSshConfig, splitWords, type IncludeReader } from '../../src/remote/ssh-config.js';
import { routeTo, type RouteContext } from '../../src/remote/ssh-route.js';

const parse = (text: string, include?: IncludeReader) => parseSshConfig(text, 'cfg', include);
const settings: SshSettings = { commandTimeoutMs: 120_000 };
const ctx = (text: string, s: SshSettings = settings): RouteContext => ({ config: parse(text), settings: s, home: '/home/me', localUser: 'me' });
/** A host as hotup.yml writes it, parsed the way the config does (user@ and :port optional). */
function spec(written: string): HostSpec {
  const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(written)!;
  const defaulted = { ...(m[1] ? {} : { user: true as const }), ...(m[3] ? {} : { port: true as const }) };
  return { raw: written, user: m[1] ?? 'me', host: m[2]!, port: m[3] ? Number(m[3]) : 22, ...(Object.keys(defaulted).length ? { defaulted } : {}) };
}
function thrown(f: () => unknown): HotupError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HotupError);
    return e as HotupError;
  }
  throw new Error('expected an error');
}

describe('the parser', () => {
  test('words: whitespace, both quotes, escapes, a # word ends the line', () => {
    expect(splitWords('a  "b c" \'d e\' f\\ g # comment', 'x')).toEqual(['a', 'b c', 'd e', 'f g']);
    expect(splitWords('"a#b" c#d', 'x')).toEqual(['a#b', 'c#d']);
    expect(thrown(() => splitWords('"open', 'cfg line 3')).message).toContain('cfg line 3 has an unterminated quote');
  });

  test('Keyword value, Keyword=value and Keyword = value, keywords in any case', () => {
    const c = parse('HostName=a.example\nuser = bob\n  PORT 2200\n# note\n\n');
    expect(hostOptions(c, 'x')).toMatchObject({ hostName: 'a.example', user: 'bob', port: 2200 });
  });

  test('patterns: * and ?, case-insensitive, a negation rules the line out', () => {
    expect(matchesPatterns('web1.prod', ['web?.prod'])).toBe(true);
    expect(matchesPatterns('WEB1.prod', ['*.PROD'])).toBe(true);
    expect(matchesPatterns('web10.prod', ['web?.prod'])).toBe(false);
    expect(matchesPatterns('db.prod', ['*.prod', '!db.*'])).toBe(false);
    expect(matchesPatterns('db.prod', ['!db.*'])).toBe(false);
    expect(matchesPatterns('a.b', ['a.b'])).toBe(true);
    expect(matchesPatterns('axb', ['a.b'])).toBe(false);
  });

  test('first match wins per keyword, across Host blocks, and Host * at the end gives defaults', () => {
    const c = parse([
      'Host web*',
      '  User deploy',
      '  IdentityFile ~/.ssh/web',
      'Host web1 !web2',
      '  User other',
      '  Port 2201',
      '  IdentityFile ~/.ssh/web1',
      'Host *',
      '  User fallback',
      '  Port 22',
      '  ConnectTimeout 5',
    ].join('\n'));
    expect(hostOptions(c, 'web1')).toEqual({ user: 'deploy', port: 2201, identityFiles: ['~/.ssh/web', '~/.ssh/web1'], connectTimeoutSeconds: 5 });
    expect(hostOptions(c, 'web2')).toEqual({ user: 'deploy', port: 22, identityFiles: ['~/.ssh/web'], connectTimeoutSeconds: 5 });
    expect(hostOptions(c, 'db')).toEqual({ user: 'fallback', port: 22, identityFiles: [], connectTimeoutSeconds: 5 });
  });

  test('lines before any Host apply to every host', () => {
    expect(hostOptions(parse('User early\nHost x\n  User late\n'), 'x').user).toBe('early');
  });

  test('Match all / host / !host; other Match criteria are not evaluated and their block is not applied', () => {
    const c = parse([
      'Match host db*,!db9',
      '  User dba',
      'Match !host web*',
      '  Port 2222',
      'Match exec "true"',
      '  User never',
      'Match all',
      '  User everyone',
    ].join('\n'));
    expect(hostOptions(c, 'db1')).toMatchObject({ user: 'dba', port: 2222 });
    expect(hostOptions(c, 'db9')).toMatchObject({ user: 'everyone', port: 2222 });
    expect(hostOptions(c, 'web1')).toMatchObject({ user: 'everyone' });
    expect(hostOptions(c, 'web1').port).toBeUndefined();
  });

  test('ProxyJump: hops split at commas, none disables, and it excludes a later ProxyCommand (and the other way round)', () => {
    const c = parse('Host a\n  ProxyJump j1,ops@j2:2200\nHost b\n  ProxyJump none\nHost *\n  ProxyCommand nc %h %p\n  ProxyJump late\n');
    expect(hostOptions(c, 'a').proxyJump).toEqual(['j1', 'ops@j2:2200']);
    expect(hostOptions(c, 'a').proxyCommand).toBeUndefined();
    expect(hostOptions(c, 'b').proxyJump).toEqual([]);
    expect(hostOptions(c, 'c')).toMatchObject({ proxyCommand: 'nc %h %p' });
    expect(hostOptions(c, 'c').proxyJump).toBeUndefined();
  });

  test('known_hosts files, StrictHostKeyChecking, IdentitiesOnly, HostKeyAlias', () => {
    const c = parse('Host *\n  UserKnownHostsFile ~/a ~/b\n  StrictHostKeyChecking accept-new\n  IdentitiesOnly yes\n  HostKeyAlias gw\n');
    expect(hostOptions(c, 'x')).toMatchObject({ userKnownHostsFiles: ['~/a', '~/b'], strictHostKeyChecking: 'accept-new', identitiesOnly: true, hostKeyAlias: 'gw' });
    expect(hostOptions(parse('StrictHostKeyChecking off'), 'x').strictHostKeyChecking).toBe('no');
  });

  test('bad values name the file and line', () => {
    expect(thrown(() => hostOptions(parse('Host x\n  Port http\n'), 'x')).message).toBe('ssh config cfg line 2 should give a number from 1 to 65535, not "http"');
    expect(thrown(() => hostOptions(parse('IdentitiesOnly maybe'), 'x')).code).toBe('CONFIG_INVALID');
    expect(thrown(() => hostOptions(parse('StrictHostKeyChecking sometimes'), 'x')).message).toContain('line 1');
    expect(thrown(() => parse('Host\n')).message).toContain('line 1 has a Host line without patterns');
    // A bad value for another host is not read.
    expect(hostOptions(parse('Host other\n  Port http\n'), 'x').port).toBeUndefined();
  });

  test('Include inside a Host block applies only to that host; included Host lines are limited by it too', () => {
    const files: Record<string, string> = {
      'inc/a': 'User from-a\nHost *\n  Port 2000\n',
      'inc/b': 'IdentityFile ~/.ssh/b\n',
    };
    const include: IncludeReader = (pattern) => (pattern === 'inc/*' ? ['inc/a', 'inc/b'] : [pattern]).filter((f) => f in files).map((f) => ({ file: f, text: files[f]! }));
    const c = parse('Host special\n  Include inc/*\nHost *\n  User general\n', include);
    expect(hostOptions(c, 'special')).toEqual({ user: 'from-a', port: 2000, identityFiles: ['~/.ssh/b'] });
    expect(hostOptions(c, 'other')).toEqual({ user: 'general', identityFiles: [] });
  });

  test('an Include loop stops at 16 levels', () => {
    const loop: IncludeReader = () => [{ file: 'self', text: 'Include self\n' }];
    expect(thrown(() => parse('Include self', loop)).message).toContain('more than 16 deep');
  });

  test('tokens and ~', () => {
    const t = { home: '/home/me', localUser: 'me', alias: 'web', host: 'web.example', user: 'deploy', port: 2200 };
    expect(expandTokens('~/.ssh/%r@%h:%p-%n-%u-%d-%%', t)).toBe('/home/me/.ssh/deploy@web.example:2200-web-me-/home/me-%');
    expect(thrown(() => expandTokens('%C', t, 'IdentityFile of web')).message).toContain('IdentityFile of web uses %C');
  });

  test('a ProxyJump hop: [user@]host[:port], IPv6 in brackets', () => {
    expect(parseJump('gw')).toEqual({ host: 'gw' });
    expect(parseJump('ops@gw:2200')).toEqual({ user: 'ops', host: 'gw', port: 2200 });
    expect(parseJump('[fd00::1]:22')).toEqual({ host: 'fd00::1', port: 22 });
    expect(parseJump('gw:99999')).toBeUndefined();
    expect(parseJump('a b')).toBeUndefined();
  });
});

describe('the route to a host', () => {
  const config = [
    'Host prod-*',
    '  HostName %h.internal',
    '  User deploy',
    '  ProxyJump bastion',
    '  IdentityFile ~/.ssh/%r_key',
    'Host prod-db',
    '  Port 2202',
    'Host bastion',
    '  HostName 203.0.113.7',
    '  User jump',
    '  Port 2222',
    '  UserKnownHostsFile ~/.ssh/bastion_hosts',
    'Host inner',
    '  ProxyJump outer1,ops@outer2:2200',
    'Host outer1',
    '  ProxyJump bastion',
    'Host outer2',
    '  ProxyJump ignored-because-not-first',
    'Host loop',
    '  ProxyJump loop',
  ].join('\n');

  test('an alias: HostName with %h, User, IdentityFile with %r, through its jump host resolved on its own', () => {
    const r = routeTo(spec('prod-web'), ctx(config));
    expect(r.target).toMatchObject({
      name: 'prod-web', host: 'prod-web.internal', port: 22, user: 'deploy',
      identityFiles: ['/home/me/.ssh/deploy_key'], identitySource: 'ssh config',
      knownHostsFiles: ['/home/me/.ssh/known_hosts'], keyName: 'prod-web.internal', strictHostKeyChecking: 'yes', connectTimeoutMs: 10_000,
    });
    expect(r.hops).toHaveLength(1);
    expect(r.hops[0]).toMatchObject({
      name: 'bastion', host: '203.0.113.7', port: 2222, user: 'jump', identitySource: 'default',
      identityFiles: ['/home/me/.ssh/id_ed25519', '/home/me/.ssh/id_ecdsa', '/home/me/.ssh/id_rsa'],
      knownHostsFiles: ['/home/me/.ssh/bastion_hosts'], keyName: '[203.0.113.7]:2222',
    });
  });

  test('user@ and :port in hotup.yml win over User and Port; hotup.yml ssh settings over the config, for every hop', () => {
    const r = routeTo(spec('ops@prod-db:2300'), ctx(config, { ...settings, identity: '/keys/k', knownHosts: '/kh', connectTimeoutMs: 3000 }));
    expect(r.target).toMatchObject({ user: 'ops', port: 2300, identityFiles: ['/keys/k'], identitySource: 'hotup.yml', knownHostsFiles: ['/kh'], connectTimeoutMs: 3000 });
    expect(r.hops[0]).toMatchObject({ user: 'jump', port: 2222, identityFiles: ['/keys/k'], knownHostsFiles: ['/kh'], connectTimeoutMs: 3000 });
    // Without them, the config's Port applies.
    expect(routeTo(spec('prod-db'), ctx(config)).target.port).toBe(2202);
  });

  test('several hops: the first through its own ProxyJump, the later ones as written, in order', () => {
    const r = routeTo(spec('inner'), ctx(config));
    expect(r.hops.map((h) => `${h.user}@${h.host}:${h.port}`)).toEqual(['jump@203.0.113.7:2222', 'me@outer1:22', 'ops@outer2:2200']);
    expect(r.target).toMatchObject({ host: 'inner', user: 'me' });
  });

  test('no config: a direct connection with the defaults', () => {
    const r = routeTo(spec('deploy@10.0.0.5'), ctx(''));
    expect(r.hops).toEqual([]);
    expect(r.target).toMatchObject({ host: '10.0.0.5', port: 22, user: 'deploy', identitySource: 'default', keyName: '10.0.0.5', strictHostKeyChecking: 'yes' });
  });

  test('HostKeyAlias names the known_hosts entry; ConnectTimeout applies when hotup.yml sets none', () => {
    const r = routeTo(spec('x'), ctx('Host x\n  HostName 10.1.1.1\n  Port 2200\n  HostKeyAlias Gateway\n  ConnectTimeout 4\n'));
    // As in ssh, the alias is the whole name: no [ ]:port.
    expect(r.target).toMatchObject({ host: '10.1.1.1', port: 2200, keyName: 'gateway', connectTimeoutMs: 4000 });
  });

  test('a ProxyJump loop, a bad hop and a ProxyCommand are config errors', () => {
    expect(thrown(() => routeTo(spec('loop'), ctx(config))).message).toContain('more than 8 hops');
    expect(thrown(() => routeTo(spec('x'), ctx('Host x\n  ProxyJump "a b"\n'))).message).toContain('"a b", which is not [user@]host[:port]');
    const pc = thrown(() => routeTo(spec('x'), ctx('ProxyCommand ssh -W %h:%p gw\n')));
    expect(pc.code).toBe('CONFIG_INVALID');
    expect(pc.remedy).toContain('ProxyJump');
  });
});

describe('the config file', () => {
  test('a missing file is an empty config; Include is relative to ~/.ssh, with a glob in the last part', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'hotup-sshcfg-'));
    expect(loadSshConfig(path.join(home, 'absent'), home).lines).toEqual([]);
    await mkdir(path.join(home, '.ssh/conf.d'), { recursive: true });
    await writeFile(path.join(home, '.ssh/conf.d/10-web'), 'Host web\n  User w\n');
    await writeFile(path.join(home, '.ssh/conf.d/20-db'), 'Host db\n  User d\n');
    await writeFile(path.join(home, '.ssh/conf.d/skip.txt'), 'Host *\n  User never\n');
    await writeFile(path.join(home, 'cfg'), 'Include conf.d/[0-9]*\nInclude ~/.ssh/none-such\nHost *\n  User rest\n');
    const c = loadSshConfig(path.join(home, 'cfg'), home);
    expect(['web', 'db', 'x'].map((h) => hostOptions(c, h).user)).toEqual(['w', 'd', 'rest']);
  });
});
