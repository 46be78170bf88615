/**
 * A fresh checkout (as on a CI runner) has no copy of the release production
 * runs: hotup brings it from the host, the project's own build command makes
 * the relup from it ({upfrom}), and the node is upgraded.
 */
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { deployTarball, newInstance, request, shopEnv, startNode, stopNode, type ShopInstance } from '../support/shop-node.js';
import { checkout, tempDir } from '../support/shop-project.js';
import { buildRebar3Shop } from '../support/fixture-build.js';
import { hotup } from '../support/cli.js';
import { writeHotupConfig } from '../support/hotup-config.js';

let sshd: SshdHandle;
let inst: ShopInstance;
let work: string;
let root: string;
let fresh: string;

beforeAll(async () => {
  sshd = await startSshd();
  inst = await newInstance();
  work = await tempDir('fresh');
  root = path.join(work, 'opt/shop');
  // 0.1.0 was built elsewhere, long ago; only its tarball reached the host.
  await deployTarball((await buildRebar3Shop(['v1'], { tarball: true })).tarball!, root);
  await startNode(root, 'shop', shopEnv(inst));
  await request(inst.port, 'add 9');
  // A new checkout of 0.2.0 with no _build at all.
  fresh = path.join(work, 'ci-checkout');
  await checkout(fresh, 'v2');
  await writeHotupConfig(fresh, 'shop', [
    { name: 'prod', hosts: [`${sshd.user}@127.0.0.1:${sshd.port}`], deployTo: root, identity: sshd.identity, knownHosts: sshd.knownHosts, settings: { env: shopEnv(inst) } },
  ], {
    build: {
      host: 'local', tool: 'custom', path: '.', profile: 'prod',
      command: 'rebar3 as prod release && rebar3 as prod relup --relname shop --relvsn 0.2.0 --upfrom {upfrom} && rebar3 as prod tar --relname shop --relvsn 0.2.0',
      release_dir: '_build/prod/rel/shop',
      tarball: '{release_dir}/shop-{version}.tar.gz',
    },
  });
});

afterAll(async () => {
  if (root) await stopNode(root, 'shop', shopEnv(inst));
  await sshd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test('the running release is fetched from the host and the upgrade goes hot', async () => {
  const r = await hotup(['apply', 'prod', '--yes'], { cwd: fresh });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/✓ fetch_old \S+ +release 0\.1\.0 brought from the host/);
  expect(r.stderr).toMatch(/✓ build +shop 0\.2\.0 built by the project's command/);
  await access(path.join(fresh, '_build/prod/rel/shop/releases/0.1.0/shop.rel'));
  expect(await request(inst.port, 'vsn')).toBe('v2');
  expect(await request(inst.port, 'get')).toBe('9');
});
