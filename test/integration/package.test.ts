/**
 * The published package, as a user gets it: `npm pack`'s tarball holds what hotup needs at run time,
 * installs into an empty directory, and its `hotup` bin plans a real upgrade over SSH.
 * Dependencies install from the lockfile without the network (`npm ci --offline`, from the cache the
 * project's own install filled), with their install scripts: erlpack compiles its addon here.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { deployTarball, newInstance, shopEnv, startNode, stopNode, type ShopInstance } from '../support/shop-node.js';
import { checkout, tempDir } from '../support/shop-project.js';
import { buildRebar3Shop, workingCopy } from '../support/fixture-build.js';
import { hotup, jsonOf } from '../support/cli.js';
import { writeHotupConfig } from '../support/hotup-config.js';

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '../..');

let work: string;
let files: string[];
let bin: string;
let sshd: SshdHandle | undefined;
let inst: ShopInstance;
let root: string | undefined;

beforeAll(async () => {
  work = await tempDir('package');
  // --ignore-scripts: prepack would rebuild dist/ under the other test files running it; the test run built it.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = info!.files.map((f) => f.path);
  // What `npm i -g hotup` does: the package under node_modules, its dependencies, its bin linked on PATH.
  const pkg = path.join(work, 'prefix/lib/node_modules/hotup');
  await mkdir(pkg, { recursive: true });
  await run('tar', ['xzf', path.join(work, info!.filename), '-C', pkg, '--strip-components=1']);
  await copyFile(path.join(REPO, 'package-lock.json'), path.join(pkg, 'package-lock.json'));
  await run('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: pkg, timeout: 240_000 });
  const manifest = JSON.parse(await readFile(path.join(pkg, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  bin = path.join(work, 'prefix/bin/hotup');
  await mkdir(path.dirname(bin), { recursive: true });
  await symlink(path.join(pkg, manifest.bin.hotup!), bin);
  await chmod(bin, 0o755);
}, 300_000);

afterAll(async () => {
  if (root) await stopNode(root, 'shop', shopEnv(inst));
  await sshd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test('the package holds the compiled CLI, the Erlang helpers, the docs and the schemas, and no sources or tests', async () => {
  const manifest = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
  // A real `npm pack`/`npm publish` builds dist/ first.
  expect(manifest.scripts.prepack).toBe('npm run build');
  expect(files).toContain(manifest.bin.hotup!.replace(/^\.\//, ''));
  for (const f of ['erlang-helpers/hotup_helper.escript', 'erlang-helpers/hotup_session.escript', 'erlang-helpers/encode.fun', 'docs/cli.md', 'docs/schemas/plan.schema.json', 'README.md']) {
    expect(files, f).toContain(f);
  }
  expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('fixtures/'))).toEqual([]);
  expect((await stat(bin)).isFile()).toBe(true);
});

test('the installed bin answers --help', async () => {
  const r = await hotup(['--help'], { cwd: work, bin });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/Usage: hotup/);
  for (const cmd of ['status', 'plan', 'apply', 'downgrade', 'inspect']) expect(r.stdout).toContain(cmd);
});

test('the installed bin plans a real upgrade over SSH', async () => {
  sshd = await startSshd();
  inst = await newInstance();
  const project = path.join(work, 'project');
  root = path.join(work, 'opt/shop');
  const v1 = await buildRebar3Shop(['v1'], { tarball: true });
  await workingCopy(v1, project);
  await deployTarball(v1.tarball!, root);
  await startNode(root, 'shop', shopEnv(inst));
  await checkout(project, 'v2');
  await writeHotupConfig(project, 'shop', [
    { name: 'prod', hosts: [`${sshd.user}@127.0.0.1:${sshd.port}`], deployTo: root, identity: sshd.identity, knownHosts: sshd.knownHosts, settings: { env: shopEnv(inst) } },
  ]);
  const r = await hotup(['plan', 'prod', '--json'], { cwd: project, bin });
  expect(r.code, r.stderr).toBe(0);
  const plan = jsonOf(r);
  expect(plan.hosts[0]).toMatchObject({ from: '0.1.0', to: '0.2.0', action: 'hot' });
  // The build streamed to stderr while stdout held the document.
  expect(r.stderr).toMatch(/build │ .*Compiling|build │ .*Assembling|build │ ===>/);
}, 240_000);
