import { describe, expect, test } from 'vitest';
import { rebar3ReleaseArgv, rebar3RelupTarArgv, rebar3TarballPath } from '../../src/commands/rebar3.js';
import { mkdirArgv, readFileArgv, renameArgv, sha256Argv } from '../../src/commands/files.js';
import { compactEncoder } from '../../src/commands/mix.js';
import { sessionArgv, sessionDir } from '../../src/commands/session.js';
import { shippedTarballPath, startErlDataPath } from '../../src/commands/release-paths.js';

const t = { app: 'shop', profile: 'prod' };

describe('rebar3 builders', () => {
  test('release, then relup from the running version and tar in one rebar3 run', () => {
    expect(rebar3ReleaseArgv(t)).toEqual(['rebar3', 'as', 'prod', 'release', '--relname', 'shop']);
    // rebar3's `do` takes a task's arguments up to the word that ends with a comma.
    expect(rebar3RelupTarArgv(t, '0.2.0', '0.1.0')).toEqual([
      'rebar3', 'as', 'prod', 'do', 'relup', '--relname', 'shop', '--relvsn', '0.2.0', '--upfrom', '0.1.0,',
      'tar', '--relname', 'shop', '--relvsn', '0.2.0',
    ]);
    expect(rebar3TarballPath(t, '0.2.0')).toBe('_build/prod/rel/shop/shop-0.2.0.tar.gz');
  });
});

describe('release paths', () => {
  test('the tarball goes where unpack_release("<vsn>/<app>") looks', () => {
    expect(shippedTarballPath('/opt/shop', '0.2.0', 'shop')).toBe('/opt/shop/releases/0.2.0/shop.tar.gz');
    expect(startErlDataPath('/opt/shop')).toBe('/opt/shop/releases/start_erl.data');
  });
});

describe('file builders keep paths out of the script text', () => {
  const hostile = "/opt/my shop/$(rm -rf /)/'x'";
  test.each([
    ['readFile', readFileArgv(hostile)],
    ['sha256', sha256Argv(hostile)],
  ])('%s passes the path as an argument', (_name, argv) => {
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]).not.toContain(hostile);
    expect(argv.at(-1)).toBe(hostile);
  });
  test('mkdir and rename are plain argv', () => {
    expect(mkdirArgv(hostile)).toEqual(['mkdir', '-p', hostile]);
    expect(renameArgv('a', hostile)).toEqual(['mv', '-f', 'a', hostile]);
  });
});

describe('the session helper and the mix relup', () => {
  test('the encoder loses its comments and newlines for an -eval', () => {
    expect(compactEncoder('%% comment\nfun HotupEnc(T) -> T\nend')).toBe('fun HotupEnc(T) -> T end');
  });
  test('the session starts from a fixed script; root, app and digest travel as arguments', () => {
    const hostile = "/opt/it's here; rm -rf /";
    const argv = sessionArgv(hostile, 'shop', 'abc123');
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv.slice(3)).toEqual(['hotup-session', hostile, 'shop', 'abc123']);
    expect(argv[2]).not.toContain(hostile);
    // The cookie is read on the host, inside the helper: no argument can carry it.
    expect(argv[2]).not.toMatch(/setcookie/);
    expect(sessionDir('/opt/shop', 'abc123')).toBe('/opt/shop/.hotup/session/abc123');
  });
});
