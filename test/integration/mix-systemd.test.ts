/**
 * A plain `mix release` run by a systemd unit (ExecStart=bin/shop_ex start, Type=simple): the restart
 * path, the downgrade by restart and the rollback by restart go through `systemctl restart`, with
 * config/runtime.exs evaluated afresh at each boot. systemd itself is the fake of test/support/fake-systemd.ts.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startMixHost, type MixHost } from '../support/shop-host.js';
import { clientLoop, freePort, request } from '../support/shop-node.js';
import { checkoutMix, checkoutMixVariant } from '../support/shop-project.js';
import { buildMixShop } from '../support/fixture-build.js';
import { hotup, jsonOf } from '../support/cli.js';
import { writeFakeSystemd } from '../support/fake-systemd.js';
import { waitFor } from '../support/wait.js';

const execFileP = promisify(execFile);
const APP = 'shop_ex';
const UNIT = 'shop-ex';
let host: MixHost | undefined;
let project: string;
let fakes: string;
let port: number;
let env: Record<string, string>;

const run = (args: string[]) => hotup(args, { cwd: project });
const calls = async () => (await readFile(path.join(fakes, 'calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean);

beforeAll(async () => {
  port = await freePort();
  env = { RELEASE_NODE: `shop_ex_sd_${process.pid}`, RELEASE_DISTRIBUTION: 'sname', SHOP_PORT: String(port), SHOP_GREETING: 'hello from the unit', SHOP_API_TOKEN: 'tok' };
  // The node starts as the unit's main process: Mix's `start` runs the release in the foreground.
  host = await startMixHost('mix-systemd', await buildMixShop('v1'), APP, env, async (at) => {
    fakes = path.join(at.work, 'fake-bin');
    await writeFakeSystemd(fakes, UNIT, [path.join(at.root, 'bin', APP), 'start'], at.root);
    await execFileP(path.join(fakes, 'systemctl'), ['restart', UNIT], { env: { ...process.env, ...env }, timeout: 60_000 });
    await waitFor('the unit\'s node to answer', async () => (await request(port, 'vsn', 1_000).catch(() => '')) === 'ex-v1', { timeoutMs: 30_000, intervalMs: 300 });
  });
  ({ project } = host);
  await request(port, 'add 5');
  await host.writeConfig({ env: { ...env, PATH: `${fakes}:${process.env.PATH}` }, restart: { systemd: UNIT }, node_wait: 30 });
  await checkoutMix(project, 'v2');
}, 300_000);

afterAll(async () => {
  await host?.stop();
});

test('apply --restart through the unit, then a downgrade by restart through it: each boot reads runtime.exs, the client sees the downtime only', async () => {
  const loop = clientLoop(port, { maxMs: 300_000 });
  const r = await run(['apply', 'prod', '--yes', '--restart', '--json']);
  const up = await loop.stop();
  expect(r.code, r.stdout).toBe(0);
  const h = jsonOf(r).hosts[0];
  expect(h).toMatchObject({ from: '0.1.0', to: '0.2.0', execution: 'restart', outcome: 'upgraded' });
  const restarted = jsonOf(r).events.find((e: any) => e.type === 'step' && e.step === 'restart' && e.phase === 'done');
  expect(restarted.detail).toMatch(/^node back \(systemctl restart shop-ex\) running 0\.2\.0/);
  expect(await request(port, 'vsn')).toBe('ex-v2');
  expect(await request(port, 'env greeting')).toBe('"hello from the unit"');
  console.log(`mix via systemd, restart: downtime ${h.downtimeMs} ms, ${up.ok} client calls ok, ${up.failures.length} failed during the restart`);

  // apply --restart made no relup: the way back is a restart, through the unit again.
  const loopDown = clientLoop(port, { maxMs: 300_000 });
  const back = await run(['downgrade', 'prod', '--yes', '--json']);
  const down = await loopDown.stop();
  expect(back.code, back.stdout).toBe(0);
  expect(jsonOf(back).hosts[0]).toMatchObject({ from: '0.2.0', to: '0.1.0', execution: 'restart', outcome: 'upgraded' });
  expect(await request(port, 'vsn')).toBe('ex-v1');
  expect((await calls()).filter((c) => c === `systemctl restart ${UNIT}`)).toHaveLength(3);
  console.log(`mix via systemd, downgrade: downtime ${jsonOf(back).hosts[0].downtimeMs} ms, ${down.ok} client calls ok, ${down.failures.length} failed`);
});

test('a 0.2.0 that cannot boot: the unit fails, its journal is in the error, and the node is rolled back by restart through the unit', async () => {
  await checkoutMixVariant(project, 'crash-at-boot', 'v2');
  const before = (await calls()).length;
  const r = await run(['apply', 'prod', '--yes', '--restart', '--json']);
  expect(r.code, r.stdout).toBe(7);
  const doc = jsonOf(r);
  expect(doc.error.code).toBe('ROLLED_BACK');
  expect(doc.error.message).toMatch(/cannot_start_in_this_build/);
  expect(doc.hosts[0]).toMatchObject({ from: '0.1.0', to: '0.2.0', execution: 'restart', outcome: 'rolled_back' });
  expect(await request(port, 'vsn')).toBe('ex-v1');
  expect(await request(port, 'env greeting')).toBe('"hello from the unit"');
  const made = (await calls()).slice(before);
  expect(made.filter((c) => c === `systemctl restart ${UNIT}`)).toHaveLength(2);
  expect(made).toContain(`journalctl -u ${UNIT} -n 20 --no-pager`);
});

