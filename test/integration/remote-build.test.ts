/**
 * A remote build host (a second sshd on 127.0.0.1): hotup sends the commit
 * checked out here, builds there with that host's toolchain, brings the
 * running release from production when the build host lacks it, pulls the
 * tarball back and upgrades the node.
 */
import { execFileSync } from 'node:child_process';
import { access, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { deployTarball, newInstance, request, shopEnv, startNode, stopNode, type ShopInstance } from '../support/shop-node.js';
import { checkout, tempDir } from '../support/shop-project.js';
import { buildRebar3Shop } from '../support/fixture-build.js';
import { hotup } from '../support/cli.js';
import { writeHotupConfig } from '../support/hotup-config.js';

let prod: SshdHandle;
let builder: SshdHandle;
let inst: ShopInstance;
let work: string;
let project: string;
let root: string;
let remoteBuild: string;

function git(...args: string[]): void {
  execFileSync('git', ['-C', project, '-c', 'user.name=hotup test', '-c', 'user.email=test@hotup.invalid', ...args], { stdio: 'ignore' });
}

beforeAll(async () => {
  prod = await startSshd();
  builder = await startSshd();
  inst = await newInstance();
  work = await tempDir('remote-build');
  project = path.join(work, 'laptop/shop');
  root = path.join(work, 'opt/shop');
  remoteBuild = path.join(work, 'buildhost/shop');
  const v1 = await buildRebar3Shop(['v1'], { tarball: true });
  await checkout(project, 'v1');
  await writeFile(path.join(project, '.gitignore'), '_build/\n');
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'shop 0.1.0');
  await deployTarball(v1.tarball!, root);
  await startNode(root, 'shop', shopEnv(inst));
  await checkout(project, 'v2');
  git('add', '-A');
  git('commit', '-qm', 'shop 0.2.0');
  await writeHotupConfig(project, 'shop', [
    { name: 'prod', hosts: [`${prod.user}@127.0.0.1:${prod.port}`], deployTo: root, identity: prod.identity, knownHosts: prod.knownHosts, settings: { env: shopEnv(inst) } },
  ], {
    build: {
      host: `${builder.user}@127.0.0.1:${builder.port}`, tool: 'rebar3', path: remoteBuild, profile: 'prod',
      ssh: { identity: builder.identity, known_hosts: builder.knownHosts },
    },
  });
});

afterAll(async () => {
  if (root) await stopNode(root, 'shop', shopEnv(inst));
  await prod?.stop();
  await builder?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test('the commit is built on the build host and the node upgraded from its artifacts', async () => {
  const r = await hotup(['apply', 'prod', '--yes'], { cwd: project });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/✓ sync \S+ +commit [0-9a-f]{12} checked out in /);
  expect(r.stderr).toMatch(/✓ fetch_old \S+ +release 0\.1\.0 brought from the host/);
  // The build ran there, not here.
  await access(path.join(remoteBuild, '_build/prod/rel/shop/releases/0.2.0/relup'));
  expect(execFileSync('git', ['-C', remoteBuild, 'log', '-1', '--format=%s']).toString().trim()).toBe('shop 0.2.0');
  expect(await request(inst.port, 'vsn')).toBe('v2');
});
