/**
 * The spine, for real: an OpenSSH server on 127.0.0.1, a real OTP release
 * running as a daemon, and the compiled hotup binary taking it from 0.1.0 to
 * 0.2.0 while a client keeps calling it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startShopHost, type ShopHost } from '../support/shop-host.js';
import { clientLoop, nodeEval, request, shopEnv, startNode, stopNode, type ShopInstance } from '../support/shop-node.js';
import { checkout, checkoutVariant } from '../support/shop-project.js';
import { hotup, jsonOf } from '../support/cli.js';
import { writeHotupConfig } from '../support/hotup-config.js';

let host: ShopHost | undefined;
let inst: ShopInstance;
let project: string;
let root: string;

beforeAll(async () => {
  host = await startShopHost('spine');
  ({ inst, project, root } = host);
  await request(inst.port, 'add 5');
  await request(inst.port, 'add 7');
  // The developer moves the project on to 0.2.0; hotup builds it.
  await checkout(project, 'v2');
  await writeHotupConfig(project, 'shop', [host.prod()]);
});

afterAll(async () => {
  await host?.stop();
});

describe('status, plan and apply over SSH on a live node', () => {
  test('status shows 0.1.0 from every witness', async () => {
    const r = await hotup(['status', 'prod', '--json'], { cwd: project });
    expect(r.code).toBe(0);
    const doc = jsonOf(r);
    expect(doc.hosts).toHaveLength(1);
    const h = doc.hosts[0];
    expect(h.running).toBe('0.1.0');
    expect(h.startErl.vsn).toBe('0.1.0');
    expect(h.live.up).toBe(true);
    expect(h.live.releases.map((e: any) => [e.vsn, e.status])).toEqual([['0.1.0', 'permanent']]);
    expect(h.releasesFile.map((e: any) => [e.vsn, e.status])).toEqual([['0.1.0', 'permanent']]);
    expect(h.disagreements).toEqual([]);
  });

  test('plan shows 0.1.0 → 0.2.0 hot, with the relup instructions', async () => {
    const r = await hotup(['plan', 'prod', '--json'], { cwd: project });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const plan = jsonOf(r);
    expect(plan.schema).toBe('hotup.plan/1');
    expect(plan.target.vsn).toBe('0.2.0');
    expect(plan.target.tarball.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.hosts).toHaveLength(1);
    expect(plan.hosts[0]).toMatchObject({ from: '0.1.0', to: '0.2.0', action: 'hot' });
    expect(plan.hosts[0].instructions.join('\n')).toMatch(/shop_counter/);
    // A good upgrade: the rules find nothing to warn about.
    expect(plan.hosts[0].reasons).toEqual([]);

    // The live dry run ships and unpacks: not while another run holds the host's deploy lock.
    const lock = path.join(root, 'releases/.hotup-lock');
    await mkdir(lock);
    await writeFile(path.join(lock, 'holder.json'), '{"who":"ops@ci","pid":7,"since":"then","what":"hotup apply prod"}\n');
    const held = await hotup(['plan', 'prod', '--check-live'], { cwd: project });
    await rm(lock, { recursive: true });
    expect(held.code, held.stderr).toBe(4);
    expect(held.stderr).toMatch(/LOCK_HELD.*held by ops@ci/);
    expect(existsSync(path.join(root, 'releases/0.2.0'))).toBe(false);

    // The live dry run: the node itself checks the install (the release is unpacked beside the running one).
    const live = jsonOf(await hotup(['plan', 'prod', '--check-live', '--json'], { cwd: project }));
    expect(live.hosts[0].action).toBe('hot');
    expect(live.hosts[0].reasons).toEqual([expect.objectContaining({ rule: 'live/check-install', severity: 'info', message: expect.stringMatching(/: ok$/) })]);
    expect(await request(inst.port, 'vsn')).toBe('v1');

    const human = await hotup(['plan', 'prod'], { cwd: project });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/0\.1\.0 → 0\.2\.0\s+HOT/);
  });

  test('apply upgrades hot: new code live, state migrated, no client failure', async () => {
    const before = await request(inst.port, 'get');
    expect(before).toBe('12');
    const loop = clientLoop(inst.port, { maxMs: 300_000 });
    const r = await hotup(['apply', 'prod', '--yes'], { cwd: project });
    const calls = await loop.stop();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/make_permanent/);
    // Read back from the node: the upgraded application's modules run 0.2.0's bytes (shop has 5).
    expect(r.stderr).toMatch(/✓ verify_code \S+ +5 modules of the changed applications run 0\.2\.0's bytes/);

    expect(calls.failures).toEqual([]);
    expect(calls.ok).toBeGreaterThan(10);
    expect(await request(inst.port, 'vsn')).toBe('v2');
    // code_change/3 turned the integer into a map and kept the total: not reset.
    const state = await request(inst.port, 'state');
    expect(state).toContain(`total => ${12 + calls.added}`);
    expect(state).toMatch(/adds => \d+/);
    expect(await readFile(path.join(root, 'releases/start_erl.data'), 'utf8')).toMatch(/^\S+ 0\.2\.0\s*$/);
    // install_release reset the application's environment from the new release: the port set where the node started is still there.
    expect(await nodeEval(root, shopEnv(inst), 'application:get_env(shop, port).')).toBe(`{ok,${inst.port}}`);

    const st = jsonOf(await hotup(['status', 'prod', '--json'], { cwd: project }));
    const statuses = Object.fromEntries(st.hosts[0].releasesFile.map((e: any) => [e.vsn, e.status]));
    expect(statuses).toEqual({ '0.2.0': 'permanent', '0.1.0': 'old' });
    expect(st.hosts[0].running).toBe('0.2.0');
  });

  test('apply again is a no-op: the rebuilt 0.2.0 has the code the host runs', async () => {
    const r = await hotup(['apply', 'prod', '--yes', '--json'], { cwd: project });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(jsonOf(r).hosts[0]).toMatchObject({ action: 'noop', outcome: 'unchanged' });
  });

  test('0.2.0 rebuilt with other code: plan is blocked (exit 3), apply refuses even with --force, the node keeps serving', async () => {
    const file = path.join(project, 'apps/shop/src/shop_counter.erl');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('code_vsn() -> "v2".', 'code_vsn() -> "v2-patched".'));
    try {
      const plan = await hotup(['plan', 'prod', '--json'], { cwd: project });
      expect(plan.code, plan.stderr).toBe(3);
      const h = jsonOf(plan).hosts[0];
      expect(h).toMatchObject({ action: 'blocked', from: '0.2.0', to: '0.2.0' });
      expect(h.reasons.map((x: any) => x.rule)).toEqual(['release/same-version-new-bytes']);
      expect(h.reasons[0].message).toMatch(/shop \(shop_counter\)/);
      const forced = await hotup(['apply', 'prod', '--yes', '--force'], { cwd: project });
      expect(forced.code).toBe(3);
      expect(forced.stderr).toMatch(/the build has the version the host runs, with other code/);
      expect(await request(inst.port, 'vsn')).toBe('v2');
    } finally {
      await writeFile(file, original);
    }
  });
  test('a node stopped on purpose: plan says so (a restart decision), apply neither starts it nor "rolls it back"', async () => {
    await checkoutVariant(project, 'v3-unhealthy', 'v3');
    await stopNode(root, 'shop', shopEnv(inst));
    try {
      const plan = await hotup(['plan', 'prod', '--json'], { cwd: project });
      expect(plan.code, plan.stderr).toBe(0);
      const h = jsonOf(plan).hosts[0];
      expect(h).toMatchObject({ from: '0.2.0', to: '0.3.2', action: 'restart' });
      expect(h.reasons.map((x: any) => x.rule)).toContain('host/node-down');
      for (const flags of [[], ['--force']]) {
        const r = await hotup(['apply', 'prod', '--yes', ...flags], { cwd: project });
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toMatch(/host\/node-down/);
      }
      await expect(request(inst.port, 'vsn', 1_000)).rejects.toThrow();
      expect(await readFile(path.join(root, 'releases/start_erl.data'), 'utf8')).toMatch(/ 0\.2\.0\s*$/);
    } finally {
      await startNode(root, 'shop', shopEnv(inst));
    }
  });
});
