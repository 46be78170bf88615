import { describe, expect, test } from 'vitest';
import { rebar3ReleaseArgv, rebar3RelupTarArgv, rebar3TarballPath } from '../../src/commands/rebar3.js';
import { mkdirArgv, readFileArgv, renameArgv, sha256Argv } from '../../src/commands/files.js';
import { compactEncoder, erlString, framedExpr, liveExprs, nodeEvalArgv } from '../../src/commands/node.js';
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

describe('live node expressions', () => {
  const encoder = '%% comment\nfun HotupEnc(T) -> T\nend';
  test('the encoder loses its comments and newlines', () => {
    expect(compactEncoder(encoder)).toBe('fun HotupEnc(T) -> T end');
  });
  test('a framed expression catches exceptions and encodes with minor_version 1', () => {
    const e = framedExpr(encoder, liveExprs.installRelease('0.2.0'));
    expect(e).toContain('HotupRes = (catch (release_handler:install_release("0.2.0")))');
    expect(e).toContain('[{minor_version, 1}]');
    expect(e).toContain('"HOTUP1:" ++');
    expect(e.endsWith('.')).toBe(true);
  });
  test('unpack names the tarball as <vsn>/<app>', () => {
    expect(liveExprs.unpackRelease('0.2.0', 'shop')).toBe('release_handler:unpack_release("0.2.0/shop")');
  });
  test('names and versions with quotes or backslashes are refused, not escaped', () => {
    expect(() => erlString('0.2.0"), os:cmd("rm')).toThrow(/refusing/);
    expect(() => erlString('a\\b')).toThrow(/refusing/);
    expect(erlString('2024.5.311200')).toBe('"2024.5.311200"');
  });
  test('relx releases evaluate through bin/<app> eval', () => {
    expect(nodeEvalArgv('/opt/shop', 'shop', 'relx', 'ok.')).toEqual(['/opt/shop/bin/shop', 'eval', 'ok.']);
    expect(() => nodeEvalArgv('/opt/shop', 'shop', 'relx', '"a\\n".')).toThrow(/backslash/);
  });
});
