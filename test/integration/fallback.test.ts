/**
 * The failure paths, for real, on one live node behind sshd: downgrade hot and
 * by restart, the restart path with its downtime, rollback after a crash at
 * boot and after a failed health check, and a node killed during install.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startShopHost, type ShopHost } from '../support/shop-host.js';
import { clientLoop, nodeEval, nodePid, request, shopEnv, startNode, type ShopInstance } from '../support/shop-node.js';
import { checkout, checkoutVariant } from '../support/shop-project.js';
import { waitFor } from '../support/wait.js';
import { hotup, jsonOf } from '../support/cli.js';
import { shopHealthCommand, writeHotupConfig } from '../support/hotup-config.js';

let host: ShopHost | undefined;
let inst: ShopInstance;
let project: string;
let root: string;

const startErl = async () => (await readFile(path.join(root, 'releases/start_erl.data'), 'utf8')).trim().split(' ')[1];
const run = (args: string[]) => hotup(args, { cwd: project });

/** Whether a process exists (and is not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

beforeAll(async () => {
  host = await startShopHost('fallback');
  ({ inst, project, root } = host);
  await request(inst.port, 'add 40');
  await writeHotupConfig(project, 'shop', [host.prod({ health: { command: shopHealthCommand(inst.port), retries: 3, interval: 1, timeout: 3 }, node_wait: 20 })]);
  await checkout(project, 'v2');
  const r = await run(['apply', 'prod', '--yes']);
  if (r.code !== 0) throw new Error(`setup upgrade to 0.2.0 failed:\n${r.stderr}`);
});

afterAll(async () => {
  await host?.stop();
});

describe('downgrade and the restart path', () => {
  test('downgrade 0.2.0 → 0.1.0 hot: state migrated down by code_change, v1 code live', async () => {
    await request(inst.port, 'add 2');
    const r = await run(['downgrade', 'prod', '--yes', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const doc = jsonOf(r);
    expect(doc.hosts[0]).toMatchObject({ from: '0.2.0', to: '0.1.0', execution: 'hot', outcome: 'upgraded' });
    expect(await request(inst.port, 'vsn')).toBe('v1');
    // code_change({down, _}, …) turned the map back into the bare total.
    expect(await request(inst.port, 'state')).toBe('42');
    expect(await startErl()).toBe('0.1.0');
    // The port the node started with outlives install_release, which resets the application's environment.
    expect(await nodeEval(root, shopEnv(inst), 'application:get_env(shop, port).')).toBe(`{ok,${inst.port}}`);
  });

  test('back up to 0.2.0, then a 0.3.0 that needs a new emulator: apply restarts, reports downtime', async () => {
    const up = await run(['apply', 'prod', '--yes']);
    expect(up.code, up.stderr).toBe(0);
    expect(await request(inst.port, 'vsn')).toBe('v2');
    await checkout(project, 'v3');
    const plan = jsonOf(await run(['plan', 'prod', '--json']));
    expect(plan.hosts[0]).toMatchObject({ from: '0.2.0', to: '0.3.0', action: 'restart' });
    expect(plan.hosts[0].reasons.map((x: any) => x.rule)).toContain('relup/restart-emulator');

    const r = await run(['apply', 'prod', '--yes', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const host = jsonOf(r).hosts[0];
    expect(host).toMatchObject({ to: '0.3.0', execution: 'restart', outcome: 'upgraded' });
    expect(host.downtimeMs).toBeGreaterThan(0);
    expect(host.downtimeMs).toBeLessThan(60_000);
    expect(await request(inst.port, 'vsn')).toBe('v3');
    expect(await startErl()).toBe('0.3.0');
    console.log(`restart path downtime: ${host.downtimeMs} ms`);
  });

  test('downgrade without a hot down-path restarts into the previous release', async () => {
    const r = await run(['downgrade', 'prod', '--yes', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(jsonOf(r).hosts[0]).toMatchObject({ from: '0.3.0', to: '0.2.0', execution: 'restart', outcome: 'upgraded' });
    expect(await request(inst.port, 'vsn')).toBe('v2');
    expect(await startErl()).toBe('0.2.0');
  });

  test('downgrade to a release that is not installed is refused, nothing touched', async () => {
    const r = await run(['downgrade', 'prod', '--to', '0.0.1', '--yes']);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/error NOT_INSTALLED.*release 0\.0\.1 is not installed/);
    expect(await request(inst.port, 'vsn')).toBe('v2');
  });
});

describe('rollback', () => {
  test('a release that crashes at boot: apply rolls back by restart, exits non-zero, v2 serves', async () => {
    await checkoutVariant(project, 'v3-crash', 'v3');
    // Its appup leaves shop_app out (module/not-loaded): apply refuses unless told to restart.
    const refused = await run(['apply', 'prod', '--yes']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/--restart to restart into the new release/);
    const r = await run(['apply', 'prod', '--yes', '--restart', '--json']);
    expect(r.code).toBe(7);
    const doc = jsonOf(r);
    expect(doc.error.code, doc.error.message).toBe('ROLLED_BACK');
    expect(doc.hosts[0]).toMatchObject({ to: '0.3.1', execution: 'restart', outcome: 'rolled_back' });
    expect(await request(inst.port, 'vsn')).toBe('v2');
    expect(await startErl()).toBe('0.2.0');
  });

  test('a hot upgrade that fails its health check: rolled back hot through the down-path', async () => {
    await checkoutVariant(project, 'v3-unhealthy', 'v3');
    const loop = clientLoop(inst.port, { maxMs: 120_000 });
    const r = await run(['apply', 'prod', '--yes']);
    const calls = await loop.stop();
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/✗ health/);
    expect(r.stderr).toMatch(/rollback .*back on 0\.2\.0 \(hot/);
    expect(r.stderr).toMatch(/error ROLLED_BACK.*serves 0\.2\.0/);
    expect(calls.failures).toEqual([]);
    expect(await request(inst.port, 'vsn')).toBe('v2');
    expect(await startErl()).toBe('0.2.0');
  });

  test('a relup that leaves a changed module out, forced hot: the old code still runs, so verify_code fails and the node is rolled back', async () => {
    await checkoutVariant(project, 'v3-stale', 'v3');
    const r = await run(['apply', 'prod', '--yes', '--force', '--json']);
    expect(r.code, r.stderr).toBe(7);
    const doc = jsonOf(r);
    expect(doc.error.code).toBe('ROLLED_BACK');
    expect(doc.error.message).toMatch(/shop_counter runs other bytes than the release's beam/);
    expect(doc.hosts[0]).toMatchObject({ to: '0.3.4', outcome: 'rolled_back' });
    expect(await request(inst.port, 'vsn')).toBe('v2');
    expect(await startErl()).toBe('0.2.0');
  });

  test('the node killed during install_release: hotup says what it runs afterwards', async () => {
    await checkoutVariant(project, 'v3-slow', 'v3');
    const pid = await nodePid(root, shopEnv(inst));
    const pending = run(['apply', 'prod', '--yes']);
    // The relup loads the new shop_counter, then sleeps 8 s: kill the VM once the new code answers (inside that
    // window), then bring it back as a service manager would.
    await waitFor('the v3 code to answer during install_release', async () => (await request(inst.port, 'vsn', 1_000)) === 'v3',
      { timeoutMs: 120_000, intervalMs: 100 });
    process.kill(pid, 'SIGKILL');
    await waitFor('the killed VM to be gone', () => !alive(pid), { timeoutMs: 10_000 });
    await startNode(root, 'shop', shopEnv(inst));
    const r = await pending;
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/stopped answering during release_handler:install_release\("0\.3\.3"\); it came back and runs 0\.2\.0/);
    expect(await request(inst.port, 'vsn')).toBe('v2');
  });
  test('a code_change/3 that crashes during install: after the point of no return, the node restarted, state lost: hotup says so', async () => {
    await checkoutVariant(project, 'v3-badchange', 'v3');
    await request(inst.port, 'add 3');
    // The plan's rehearsal already saw it crash on the live state; --force goes hot anyway, to show what then happens.
    const r = await run(['apply', 'prod', '--yes', '--force', '--json']);
    expect(r.code, r.stderr).toBe(7);
    const { error, events } = jsonOf(r);
    const planned = events.find((e: any) => e.type === 'plan').plan.hosts[0];
    expect(planned.reasons.find((x: any) => x.rule === 'live/code-change-crashes')?.message).toMatch(/shop_counter:code_change, run on a copy of the state shop_counter .* crashes: \{error,cannot_migrate\}/);
    expect(error.code).toBe('ROLLED_BACK');
    // release_handler answers {error, {code_change_failed, ...}} and restarts the node: not "refused before the point of no return".
    expect(error.message).toMatch(/failed after the point of no return \(\{error,\{code_change_failed,.*shop_counter.*cannot_migrate/);
    expect(error.message).toMatch(/restarted the node: the state its processes held in memory is lost; it came back and runs 0\.2\.0/);
    expect(error.message).not.toMatch(/refused before the point of no return/);
    expect(error.remedy).toMatch(/code_change\/3 crashed/);
    expect(await request(inst.port, 'vsn')).toBe('v2');
    // The restart reset the counter: what hotup said about the lost state is what happened.
    expect(await request(inst.port, 'get')).toBe('0');
    expect(await startErl()).toBe('0.2.0');
  });

  test('fixed without a version bump and applied again: the earlier, never installed build of 0.3.2 gives way to the new bytes', async () => {
    // The health-check test above left 0.3.2 (unhealthy) on the host after its rollback, as an old release.
    await checkoutVariant(project, 'v3-unhealthy', 'v3');
    const file = path.join(project, 'apps/shop/src/shop_counter.erl');
    await writeFile(file, (await readFile(file, 'utf8')).replace('code_vsn() -> "v3-unhealthy".', 'code_vsn() -> "v3-fixed".').replace('health() -> "sick".', 'health() -> "ok".'));
    const r = await run(['apply', 'prod', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✓ replace \S+ +the earlier build of 0\.3\.2 \(old\) removed: the shipped tarball replaces it/);
    expect(await request(inst.port, 'vsn')).toBe('v3-fixed');
    expect(await startErl()).toBe('0.3.2');
  });
});
