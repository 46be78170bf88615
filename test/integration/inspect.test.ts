/** `hotup inspect` on artifacts made by real rebar3 builds, and on broken ones. */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildRebar3Shop, type ShopBuild } from '../support/fixture-build.js';
import { tempDir } from '../support/shop-project.js';
import { hotup, jsonOf } from '../support/cli.js';

let work: string;
let shop: ShopBuild;

beforeAll(async () => {
  work = await tempDir('inspect');
  shop = await buildRebar3Shop(['v1', 'v2'], { relup: true, tarball: true });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The shop tarball unpacked, changed by `change`, packed again. */
async function alteredTarball(name: string, change: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  execFileSync('tar', ['xzf', shop.tarball!, '-C', dir]);
  await change(dir);
  const file = path.join(work, `${name}.tar.gz`);
  execFileSync('tar', ['czf', file, '-C', dir, '.']);
  return file;
}

const upPath = (doc: any, vsn = '0.1.0') => doc.paths.find((p: any) => p.direction === 'up' && p.vsn === vsn);

describe('inspect', () => {
  test('a release directory: the release, each path grouped by application, findings, decision', async () => {
    const r = await hotup(['inspect', shop.relDir], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: release 0\.2\.0\n\s+shop 0\.2\.0 on ERTS [\d.]+: kernel [\d.]+, stdlib [\d.]+, sasl [\d.]+, shop 0\.2\.0/);
    expect(r.stdout).toMatch(/up from 0\.1\.0\s+→ HOT \(no findings\)/);
    expect(r.stdout).toMatch(/up from 0\.1\.0.*\n\s+shop:\n\s+load the code of shop 0\.2\.0: shop_counter, shop_audit\n\s+\(release\):\n\s+point of no return.*\n\s+shop:\n\s+suspend the processes of shop_counter\n/);
    expect(r.stdout).toMatch(/migrate the state of shop_counter \(code_change up\)/);
    expect(r.stdout).toMatch(/down to 0\.1\.0/);
  });

  test('--json carries the release, the typed instructions and the decision', async () => {
    const doc = jsonOf(await hotup(['inspect', shop.relDir, '--json'], { cwd: work }));
    expect(doc.schema).toBe('hotup.inspect/1');
    expect(doc.release.apps).toContainEqual({ name: 'shop', vsn: '0.2.0', modules: 4 + 1 });
    expect(upPath(doc)).toMatchObject({ present: true, decision: 'hot', findings: [] });
    // Offline: no live node was asked, and it says so.
    expect(doc.notChecked.join('\n')).toMatch(/live facts/);
    expect(upPath(doc).instructions[0]).toEqual({ op: 'load_object_code', app: 'shop', vsn: '0.2.0', modules: ['shop_counter', 'shop_audit'] });
  });

  test('--from judges the upgrade from the version that runs, and says when the relup lacks it', async () => {
    const doc = jsonOf(await hotup(['inspect', shop.relDir, '--from', '0.0.5', '--json'], { cwd: work }));
    expect(doc.paths).toHaveLength(1);
    expect(upPath(doc, '0.0.5')).toMatchObject({ present: false, decision: 'restart', instructions: [] });
    expect(upPath(doc, '0.0.5').findings.map((f: any) => f.rule)).toEqual(expect.arrayContaining(['relup/no-up-path', 'relup/no-down-path']));
    const text = await hotup(['inspect', shop.relDir, '--from', '0.0.5'], { cwd: work });
    expect(text.stdout).toMatch(/up from 0\.0\.5\s+→ RESTART \(1 error, 1 warning, 1 note\)\n\s+\(the relup has no such path\)\n\s+error \[relup\/no-up-path\]/);
  });

  test('a relup file alone, and a tarball', async () => {
    const relup = jsonOf(await hotup(['inspect', shop.relup!, '--json'], { cwd: work }));
    expect(relup).toMatchObject({ kind: 'relup', vsn: '0.2.0', release: null });
    expect(upPath(relup)).toMatchObject({ decision: 'hot', findings: [] });
    const tar = jsonOf(await hotup(['inspect', shop.tarball!, '--json'], { cwd: work }));
    expect(tar).toMatchObject({ kind: 'release', vsn: '0.2.0' });
    // A tarball holds only the new release: the module diff needs the running one.
    expect(upPath(tar).findings.map((f: any) => f.rule)).toEqual(['release/old-facts-unavailable']);
    expect(upPath(tar).decision).toBe('hot');
    // What the file holds decides, not its name.
    const renamed = path.join(work, 'shop-0.2.0.release');
    await copyFile(shop.tarball!, renamed);
    expect(jsonOf(await hotup(['inspect', renamed, '--json'], { cwd: work }))).toMatchObject({ kind: 'release', vsn: '0.2.0' });
  });
});

describe('inspect --old: any pair, offline', () => {
  test('the running release as a tarball of its own: modules compared, the decision, what was not checked', async () => {
    const v1 = await buildRebar3Shop(['v1'], { tarball: true });
    const r = await hotup(['inspect', shop.tarball!, '--old', v1.tarball!], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/running: shop 0\.1\.0 on ERTS/);
    expect(r.stdout).toMatch(/up from 0\.1\.0 {2}→ HOT/);
    expect(r.stdout).toMatch(/not checked offline:\n\s+- live facts: which processes run code/);
    const doc = jsonOf(await hotup(['inspect', shop.tarball!, '--old', v1.tarball!, '--json'], { cwd: work }));
    expect(doc.paths.filter((p: any) => p.direction === 'up').map((p: any) => p.vsn)).toEqual(['0.1.0']);
    // The old release was read: no note that modules went uncompared.
    expect(upPath(doc).findings.map((x: any) => x.rule)).toEqual([]);
  });

  test('the pair the wrong way round is blocked: exit 3', async () => {
    const v1 = await buildRebar3Shop(['v1'], { tarball: true });
    const r = await hotup(['inspect', v1.tarball!, '--old', shop.tarball!, '--json'], { cwd: work });
    expect(r.code).toBe(3);
    expect(jsonOf(r).findings.map((x: any) => x.rule)).toContain('version/not-newer');
  });

  test('--old must be a release', async () => {
    const r = await hotup(['inspect', shop.tarball!, '--old', shop.relup!], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--old .* is a relup file, not a release/);
  });
});

describe('broken artifacts', () => {
  test('a tarball without an application is blocked, and inspect exits 3', async () => {
    const f = await alteredTarball('no-app', (d) => rm(path.join(d, 'lib/shop-0.2.0'), { recursive: true }));
    const r = await hotup(['inspect', f, '--json'], { cwd: work });
    expect(r.code).toBe(3);
    const up = upPath(jsonOf(r));
    expect(up.findings.map((x: any) => x.rule)).toContain('release/missing-application');
    expect(up.decision).toBe('blocked');
  });

  test('a tarball without a beam the relup loads', async () => {
    const f = await alteredTarball('no-beam', (d) => rm(path.join(d, 'lib/shop-0.2.0/ebin/shop_audit.beam')));
    const up = upPath(jsonOf(await hotup(['inspect', f, '--json'], { cwd: work })));
    expect(up.findings.find((x: any) => x.rule === 'relup/absent-module')).toMatchObject({ module: 'shop_audit' });
    expect(up.decision).toBe('restart');
  });

  test('a tarball without its relup', async () => {
    const f = await alteredTarball('no-relup', (d) => rm(path.join(d, 'releases/0.2.0/relup')));
    const doc = jsonOf(await hotup(['inspect', f, '--json'], { cwd: work }));
    expect(doc.paths).toEqual([]);
    expect(doc.findings.map((x: any) => x.rule)).toEqual(['relup/missing']);
  });

  test('a tarball without any release specification is not a release', async () => {
    const f = await alteredTarball('no-rel', async (d) => {
      for (const p of ['releases/0.2.0/shop.rel', 'releases/shop.rel', 'releases/RELEASES']) await rm(path.join(d, p));
    });
    const r = await hotup(['inspect', f], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error ARTIFACT_INVALID( on local)?: not a release: release 0\.2\.0 has no \.rel file/m);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  test.each([
    ['not gzip', async (f: string) => writeFile(f, 'this is not a tarball'), /is not a gzip file/],
    ['truncated', async (f: string) => writeFile(f, (await readFile(shop.tarball!)).subarray(0, 50_000)), /could not be unpacked/],
  ])('a tarball that is %s gives a clear error', async (name, make, message) => {
    const f = path.join(work, `bad-${name.replace(' ', '-')}.tar.gz`);
    await make(f);
    const r = await hotup(['inspect', f], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error ARTIFACT_INVALID/m);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  test('a truncated relup gives a clear error', async () => {
    const f = path.join(work, 'relup');
    await writeFile(f, (await readFile(shop.relup!, 'utf8')).slice(0, 120));
    const r = await hotup(['inspect', f, '--json'], { cwd: work });
    expect(r.code).toBe(1);
    expect(jsonOf(r).error).toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/not a valid Erlang term file/) });
  });

  test('a path that does not exist', async () => {
    const r = await hotup(['inspect', path.join(work, 'nothing-here')], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error ARTIFACT_INVALID: .*nothing-here does not exist/m);
  });
});
