import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { rebar3ReleaseArgv, rebar3RelupTarArgv, rebar3TarballPath } from '../../src/commands/rebar3.js';
import { commitShipArgv, mkdirArgv, prepareShipArgv, readFileArgv, renameArgv, sha256Argv, SHIP_EXIT } from '../../src/commands/files.js';
import { compactEncoder, unknownRelease } from '../../src/commands/mix.js';
import { helpersDir, hostHelperArgv, sessionArgv } from '../../src/commands/session.js';
import { shippedTarballPath, startErlDataPath } from '../../src/commands/release-paths.js';
import { acquireLockArgv, lockDir, LOCK_HELD } from '../../src/commands/lock.js';
import { extractTarballArgv } from '../../src/commands/restart.js';

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
    expect(argv.slice(3)).toEqual(['hotup-helper', hostile, 'shop', `${hostile}/.hotup/helpers/abc123`, 'hotup_session.escript', hostile, 'shop']);
    expect(argv[2]).not.toContain(hostile);
    // The cookie is read on the host, inside the helper: no argument can carry it.
    expect(argv[2]).not.toMatch(/setcookie/);
    expect(helpersDir('/opt/shop', 'abc123')).toBe('/opt/shop/.hotup/helpers/abc123');
    expect(hostHelperArgv('/opt/shop', 'shop', 'abc123', 'set-boot', ['/opt/shop', '0.2.0']).slice(3))
      .toEqual(['hotup-helper', '/opt/shop', 'shop', '/opt/shop/.hotup/helpers/abc123', 'hotup_helper.escript', 'set-boot', '/opt/shop', '0.2.0']);
  });
});

describe('shipping a tarball in two commands, run by a real /bin/sh', () => {
  const sh = (argv: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(argv[0]!, argv.slice(1), (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');

  test('prepare makes the directory and says whether the same file is there; commit checks and renames', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-ship-'));
    const final = path.join(dir, "releases/0.2.0 it's/shop.tar.gz");
    expect((await sh(prepareShipArgv(final))).code).toBe(SHIP_EXIT.missing);
    const temp = path.join(path.dirname(final), '.shop.tar.gz.hotup-1');
    await writeFile(temp, 'tarball bytes');
    expect((await sh(commitShipArgv(temp, final, digest('tarball bytes')))).code).toBe(0);
    expect(await readFile(final, 'utf8')).toBe('tarball bytes');
    const again = await sh(prepareShipArgv(final));
    expect(again.code).toBe(0);
    expect(again.stdout.startsWith(digest('tarball bytes'))).toBe(true);
  });

  test('prepare removes the temp files of uploads that were cut off, and nothing else', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-ship-'));
    const final = path.join(dir, "releases/0.2.0 it's/shop.tar.gz");
    await mkdir(path.dirname(final), { recursive: true });
    const stale = ['.shop.tar.gz.hotup-ab12', '.shop.tar.gz.hotup-cd34'].map((f) => path.join(path.dirname(final), f));
    const others = ['shop.rel', '.other.tar.gz.hotup-ef56'].map((f) => path.join(path.dirname(final), f));
    for (const f of [...stale, ...others]) await writeFile(f, 'x');
    expect((await sh(prepareShipArgv(final))).code).toBe(SHIP_EXIT.missing);
    expect(stale.filter((f) => existsSync(f))).toEqual([]);
    expect(others.filter((f) => existsSync(f))).toEqual(others);
  });

  test('a corrupted upload is refused, removed, and its digest reported; the file in place stays', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-ship-'));
    const final = path.join(dir, 'shop.tar.gz');
    await writeFile(final, 'the good one');
    const temp = path.join(dir, '.shop.tar.gz.hotup-2');
    await writeFile(temp, 'truncated');
    const r = await sh(commitShipArgv(temp, final, digest('the whole thing')));
    expect(r.code).toBe(SHIP_EXIT.mismatch);
    expect(r.stderr).toBe(digest('truncated'));
    expect(existsSync(temp)).toBe(false);
    expect(await readFile(final, 'utf8')).toBe('the good one');
  });

  test('a directory that cannot be made is its own exit code', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-ship-'));
    await writeFile(path.join(dir, 'releases'), 'a file where a directory should be');
    expect((await sh(prepareShipArgv(path.join(dir, 'releases/0.2.0/shop.tar.gz')))).code).toBe(SHIP_EXIT.noDirectory);
  });
});

describe('the deploy lock, taken by a real /bin/sh', () => {
  const sh = (argv: string[], prefix: string[] = []) => new Promise<{ code: number; stderr: string }>((resolve) => {
    const all = [...prefix, ...argv];
    execFile(all[0]!, all.slice(1), (err, _stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stderr }));
  });

  test('taken, then held (exit 3); a root that cannot hold it is exit 4 and leaves nothing', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'hotup-lock-'));
    await mkdir(path.join(root, 'releases'));
    expect((await sh(acquireLockArgv(root, '{"who":"a"}'))).code).toBe(0);
    expect(await readFile(path.join(lockDir(root), 'holder.json'), 'utf8')).toBe('{"who":"a"}\n');
    expect((await sh(acquireLockArgv(root, '{"who":"b"}'))).code).toBe(LOCK_HELD);
    const nowhere = path.join(root, 'missing');
    expect((await sh(acquireLockArgv(nowhere, '{}'))).code).toBe(4);
    expect(existsSync(lockDir(nowhere))).toBe(false);
  });

  test('the holder note cannot be written (a full disk, here a file size limit of 0): no orphan lock is left', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'hotup-lock-'));
    await mkdir(path.join(root, 'releases'));
    // Writes then fail with EFBIG instead of killing the shell (SIGXFSZ ignored, which exec keeps).
    const r = await sh(acquireLockArgv(root, '{"who":"a"}'), ['sh', '-c', 'trap "" XFSZ; ulimit -f 0; exec "$@"', 'limit']);
    expect(r.code).toBe(4);
    expect(existsSync(lockDir(root))).toBe(false);
  });
});

describe('a tarball unpacked by hand for a node that is down, by a real tar', () => {
  test("the host's RELEASES, start_erl.data and bin/<app> stay; lib/, releases/<vsn>/ and bin/<app>-<vsn> arrive", async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'hotup-extract-'));
    const src = path.join(work, 'src');
    const root = path.join(work, 'root');
    const files: Record<string, string> = {
      'releases/RELEASES': 'new table', 'releases/start_erl.data': '13.1.5 0.2.0', 'releases/0.2.0/shop.rel': 'rel',
      'bin/shop': 'new script', 'bin/shop-0.2.0': 'script 0.2.0', 'lib/shop-0.2.0/ebin/shop.app': 'app',
    };
    for (const [f, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(src, f)), { recursive: true });
      await writeFile(path.join(src, f), text);
    }
    const tarball = path.join(work, 'shop.tar.gz');
    await promisify(execFile)('tar', ['czf', tarball, '-C', src, 'releases', 'bin', 'lib']);
    const kept = { 'releases/RELEASES': 'old table', 'releases/start_erl.data': '13.1.5 0.1.0', 'bin/shop': 'old script' };
    for (const [f, text] of Object.entries(kept)) {
      await mkdir(path.dirname(path.join(root, f)), { recursive: true });
      await writeFile(path.join(root, f), text);
    }
    const argv = extractTarballArgv(tarball, root, 'shop');
    await promisify(execFile)(argv[0]!, argv.slice(1));
    for (const [f, text] of Object.entries(kept)) expect(await readFile(path.join(root, f), 'utf8'), f).toBe(text);
    for (const f of ['releases/0.2.0/shop.rel', 'bin/shop-0.2.0', 'lib/shop-0.2.0/ebin/shop.app']) expect(existsSync(path.join(root, f)), f).toBe(true);
  });
});

describe('what mix release says about release names', () => {
  test('no releases in mix.exs, or the ones it has', () => {
    expect(unknownRelease('** (Mix) Unknown release :shop_ex. The available releases are: []')).toEqual([]);
    expect(unknownRelease('** (Mix) Unknown release :shop. The available releases are: [:web, :worker]')).toEqual(['web', 'worker']);
    expect(unknownRelease('** (Mix) Could not compile')).toBeNull();
  });
});
