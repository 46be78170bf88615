/** `hotup inspect` on artifacts made by real rebar3 builds, and on broken ones. */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildRelease, buildRelup, buildTarball, checkout, tempDir } from '../support/shop-project.js';
import { newInstance } from '../support/shop-node.js';
import { hotup, jsonOf } from '../support/cli.js';

let work: string;
let relDir: string;
let tarball: string;

beforeAll(async () => {
  work = await tempDir('inspect');
  const project = path.join(work, 'shop');
  const inst = await newInstance();
  await checkout(project, 'v1', inst);
  await buildRelease(project);
  await checkout(project, 'v2', inst);
  await buildRelease(project);
  await buildRelup(project, '0.1.0', '0.2.0');
  tarball = await buildTarball(project, '0.2.0');
  relDir = path.join(project, '_build/prod/rel/shop');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('inspect', () => {
  test('a release directory: paths grouped by application, findings, decision', async () => {
    const r = await hotup(['inspect', relDir], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/release 0\.2\.0/);
    expect(r.stdout).toMatch(/up from 0\.1\.0\s+→ HOT/);
    expect(r.stdout).toMatch(/shop:\n\s+load code of shop 0\.2\.0: shop_counter, shop_audit/);
    expect(r.stdout).toMatch(/migrate state \(up code_change\) of shop_counter/);
    expect(r.stdout).toMatch(/down to 0\.1\.0/);
  });

  test('--json carries the typed instructions and the decision', async () => {
    const doc = jsonOf(await hotup(['inspect', relDir, '--json'], { cwd: work }));
    expect(doc.schema).toBe('hotup.inspect/1');
    const up = doc.paths.find((p: any) => p.direction === 'up');
    expect(up).toMatchObject({ vsn: '0.1.0', decision: 'hot', findings: [] });
    expect(up.instructions[0]).toEqual({ op: 'load_object_code', app: 'shop', vsn: '0.2.0', modules: ['shop_counter', 'shop_audit'] });
  });

  test('a relup file alone and a tarball', async () => {
    const relup = await hotup(['inspect', path.join(relDir, 'releases/0.2.0/relup'), '--json'], { cwd: work });
    expect(jsonOf(relup)).toMatchObject({ kind: 'relup', vsn: '0.2.0' });
    const tar = await hotup(['inspect', tarball, '--json'], { cwd: work });
    expect(jsonOf(tar)).toMatchObject({ kind: 'release', vsn: '0.2.0' });
  });

  test('a tarball with a missing application is blocked', async () => {
    const dir = path.join(work, 'partial');
    await mkdir(dir, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', dir]);
    await rm(path.join(dir, 'lib/shop-0.2.0'), { recursive: true });
    const partial = path.join(work, 'partial.tar.gz');
    execFileSync('tar', ['czf', partial, '-C', dir, '.']);
    const doc = jsonOf(await hotup(['inspect', partial, '--json'], { cwd: work }));
    const up = doc.paths.find((p: any) => p.direction === 'up');
    expect(up.findings.map((f: any) => f.rule)).toContain('release/missing-application');
    expect(up.decision).toBe('blocked');
  });

  test.each([
    ['not gzip', async (f: string) => writeFile(f, 'this is not a tarball'), /is not a gzip file/],
    ['truncated', async (f: string) => writeFile(f, (await readFile(tarball)).subarray(0, 50_000)), /could not be unpacked/],
  ])('a tarball that is %s gives a clear error', async (_name, make, message) => {
    const f = path.join(work, `bad-${_name.replace(' ', '-')}.tar.gz`);
    await make(f);
    const r = await hotup(['inspect', f], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error ARTIFACT_INVALID/m);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  test('a garbage relup gives a clear error', async () => {
    const f = path.join(work, 'relup');
    await copyFile(path.join(relDir, 'releases/0.2.0/relup'), f);
    await writeFile(f, (await readFile(f, 'utf8')).slice(0, 120));
    const r = await hotup(['inspect', f, '--json'], { cwd: work });
    expect(r.code).toBe(1);
    expect(jsonOf(r).error).toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringMatching(/not a valid Erlang term file/) });
  });
});
