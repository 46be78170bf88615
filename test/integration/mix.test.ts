/**
 * A plain `mix release` (no Distillery) hot-upgraded end to end over SSH:
 * hotup generates the appup from the module diff, makes the relup and the
 * tarball, bootstraps RELEASES on the node, evaluates config/runtime.exs on
 * the host for install, and goes back down again; a release that adds a
 * protocol implementation goes by restart.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMixHost, type MixHost } from '../support/shop-host.js';
import { clientLoop, freePort, request, startNode, stopNode } from '../support/shop-node.js';
import { checkoutMix, tempDir } from '../support/shop-project.js';
import { buildMixShop } from '../support/fixture-build.js';
import { hotup, jsonOf } from '../support/cli.js';
import { waitFor } from '../support/wait.js';
import { sessionArgv } from '../../src/commands/session.js';
import { helpersDigest } from '../../src/host/helpers-install.js';

const sh = promisify(execFile);

const APP = 'shop_ex';
let host: MixHost | undefined;
let project: string;
let root: string;
let port: number;
let env: Record<string, string>;
/** Made before anything runs: crash dumps newer than it are this test's. */
let marker: string;
const TOKEN = `tok-${process.pid}-secret`;
const run = (args: string[]) => hotup(args, { cwd: project });

beforeAll(async () => {
  port = await freePort();
  // SHOP_GREETING and SHOP_API_TOKEN are read by config/runtime.exs: the node's environment, and the host's env: in hotup.yml.
  env = { RELEASE_NODE: `shop_ex_${process.pid}`, RELEASE_DISTRIBUTION: 'sname', SHOP_PORT: String(port), SHOP_GREETING: 'hello from the host', SHOP_API_TOKEN: TOKEN };
  host = await startMixHost('mix', await buildMixShop('v1'), APP, env, async (at) => {
    marker = path.join(at.work, 'marker');
    await writeFile(marker, '');
    await startNode(at.root, APP, env, 'pid');
  });
  ({ project, root } = host);
  await request(port, 'add 20');
  await request(port, 'add 22');
  await host.writeConfig();
  await checkoutMix(project, 'v2');
});

/** The node stopped (bin/<app> stop returns before the VM is gone) and started again with ENV. */
async function restartNode(nodeEnv: Record<string, string>): Promise<void> {
  await stopNode(root, APP, env);
  await waitFor('the node to leave epmd', () => sh('epmd', ['-names']).then((r) => !r.stdout.includes(`name ${env.RELEASE_NODE} `)), { timeoutMs: 30_000, intervalMs: 200 });
  await startNode(root, APP, nodeEnv, 'pid');
}

afterAll(async () => {
  await host?.stop();
});

describe('plain mix release', () => {
  test('status reads the live node although mix wrote no RELEASES', async () => {
    const h = jsonOf(await run(['status', 'prod', '--json'])).hosts[0];
    expect(h.running).toBe('0.1.0');
    expect(h.releasesFile).toBeNull();
    expect(h.live.up).toBe(true);
  });

  test('plan generates an appup that covers every changed module, and goes hot', async () => {
    const plan = jsonOf(await run(['plan', 'prod', '--json']));
    expect(plan.hosts[0]).toMatchObject({ from: '0.1.0', to: '0.2.0', action: 'hot' });
    const appup = plan.target.appups.find((a: any) => a.app === APP);
    expect(appup.source).toBe('generated');
    expect(appup.text).toContain("{add_module, 'Elixir.ShopEx.Audit'}");
    expect(appup.text).toContain("{load_module, 'Elixir.ShopEx.Format'}");
    expect(appup.text).toContain("{update, 'Elixir.ShopEx.Counter', {advanced, []}}");
    // No protocol implementation changed from 0.1.0 to 0.2.0: nothing but notes.
    expect(plan.hosts[0].reasons.filter((r: any) => r.severity !== 'info')).toEqual([]);
    expect(plan.hosts[0].reasons.map((r: any) => r.rule)).toContain('elixir/runtime-config');
    console.log(`generated appup:\n${appup.text}`);
  });

  test('apply: new code live, GenServer state migrated, runtime config evaluated on the host, no client failure', async () => {
    expect(await request(port, 'env greeting')).toBe('"hello from the host"');
    const loop = clientLoop(port, { maxMs: 300_000 });
    const r = await run(['apply', 'prod', '--yes']);
    const calls = await loop.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✓ bootstrap \S+ +releases\/RELEASES made for the running 0\.1\.0/);
    // 0.2.0's runtime.exs adds api_token; the greeting keeps its value. Keys are shown, values never.
    expect(r.stderr).toMatch(/✓ runtime_config \S+ +config\/runtime\.exs of 0\.2\.0 evaluated on the host for install; keys whose value changes: shop_ex\.api_token \(values not shown\)/);
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
    // release_handler gave the application what a boot would have: the host's values, not the build's.
    expect(await request(port, 'env greeting')).toBe('"hello from the host"');
    expect(await request(port, 'env api_token')).toBe(`"${TOKEN}"`);
    // Mix's own sys.config is back: the next boot evaluates runtime.exs itself, once.
    expect(await readFile(path.join(root, 'releases/0.2.0/sys.config'), 'utf8')).not.toContain('hello from the host');
    await expect(readFile(path.join(root, 'releases/0.2.0/sys.config.build'))).rejects.toThrow();
    expect(r.stderr).toMatch(/✓ verify_code \S+ +[1-9]\d* modules? of the changed applications run 0\.2\.0's bytes/);
    expect(calls.failures).toEqual([]);
    expect(await request(port, 'vsn')).toBe('ex-v2');
    // code_change/3 turned the integer into the map and kept the total.
    expect(await request(port, 'state')).toMatch(new RegExp(`^total=${42 + calls.added} adds=\\d+$`));
    console.log(`mix apply: ${calls.ok} client calls ok, ${calls.failures.length} failed`);
  });

  test('a restart after the hot upgrade evaluates runtime.exs afresh: a value changed in the environment is taken', async () => {
    await restartNode({ ...env, SHOP_GREETING: 'changed at restart' });
    expect(await request(port, 'vsn')).toBe('ex-v2');
    expect(await request(port, 'env greeting')).toBe('"changed at restart"');
    expect(await request(port, 'env api_token')).toBe(`"${TOKEN}"`);
    await request(port, 'add 1');
  });

  test('downgrade goes back hot through the generated down-path', async () => {
    const r = await run(['downgrade', 'prod', '--yes', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(jsonOf(r).hosts[0]).toMatchObject({ from: '0.2.0', to: '0.1.0', execution: 'hot', outcome: 'upgraded' });
    expect(await request(port, 'vsn')).toBe('ex-v1');
    expect(await request(port, 'state')).toMatch(/^\d+$/);
    // 0.1.0's runtime.exs, evaluated with hotup.yml's env:, not the build-time sys.config.
    expect(await request(port, 'env greeting')).toBe('"hello from the host"');
  });

  test('plan --check-live evaluates runtime.exs on the host and lists the keys that would change, then puts Mix\'s sys.config back', async () => {
    const r = await run(['plan', 'prod', '--check-live', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const reasons = jsonOf(r).hosts[0].reasons.filter((x: { rule: string }) => x.rule === 'elixir/runtime-config');
    expect(reasons.map((x: { message: string }) => x.message)).toContain('config/runtime.exs of 0.2.0 evaluated on the host: keys whose value changes: shop_ex.api_token (values not shown)');
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    await expect(readFile(path.join(root, 'releases/0.2.0/sys.config.build'))).rejects.toThrow();
    expect(await request(port, 'vsn')).toBe('ex-v1');
  });

  test("the project's own appup wins over the generated one", async () => {
    await mkdir(path.join(project, 'rel/appups'), { recursive: true });
    await writeFile(path.join(project, 'rel/appups', `${APP}.appup`), `{"0.2.0",
 [{"0.1.0", [{add_module, 'Elixir.ShopEx.Audit'}, {load_module, 'Elixir.ShopEx.Format'},
             {update, 'Elixir.ShopEx.Counter', {advanced, []}}, {apply, {erlang, garbage_collect, []}}]}],
 [{"0.1.0", [{update, 'Elixir.ShopEx.Counter', {advanced, []}}, {load_module, 'Elixir.ShopEx.Format'},
             {delete_module, 'Elixir.ShopEx.Audit'}]}]}.
`);
    const plan = jsonOf(await run(['plan', 'prod', '--json']));
    expect(plan.target.appups.find((a: any) => a.app === APP).source).toBe('project');
    expect(plan.hosts[0].instructions).toContain('call erlang:garbage_collect()');
    await rm(path.join(project, 'rel'), { recursive: true });
  });
  test('the restart path on a mix release: apply --restart boots 0.2.0 through bin/shop_ex, downtime measured; downgrade then finds 0.1.0', async () => {
    const loop = clientLoop(port, { maxMs: 300_000 });
    const r = await run(['apply', 'prod', '--yes', '--restart', '--json']);
    const calls = await loop.stop();
    expect(r.code, JSON.stringify(jsonOf(r).error)).toBe(0);
    const h = jsonOf(r).hosts[0];
    expect(h).toMatchObject({ from: '0.1.0', to: '0.2.0', execution: 'restart', outcome: 'upgraded' });
    expect(h.downtimeMs).toBeGreaterThan(0);
    expect(await request(port, 'vsn')).toBe('ex-v2');
    expect(await readFile(path.join(root, 'releases/start_erl.data'), 'utf8')).toMatch(/ 0\.2\.0\s*$/);
    console.log(`mix restart: downtime ${h.downtimeMs} ms, ${calls.ok} client calls ok, ${calls.failures.length} failed during the restart`);
    // The restart kept the host's table of releases: the previous one is there to go back to.
    const back = await run(['downgrade', 'prod', '--yes', '--json']);
    expect(back.code, back.stderr).toBe(0);
    expect(jsonOf(back).hosts[0]).toMatchObject({ from: '0.2.0', to: '0.1.0', outcome: 'upgraded' });
    expect(await request(port, 'vsn')).toBe('ex-v1');
  });

  test('a new protocol implementation (0.3.0) goes by restart, named in the plan; the node then dispatches to it; downgrade goes back by restart too', async () => {
    await checkoutMix(project, 'v3');
    const plan = jsonOf(await run(['plan', 'prod', '--json']));
    expect(plan.hosts[0]).toMatchObject({ from: '0.1.0', to: '0.3.0', action: 'restart' });
    const rule = plan.hosts[0].reasons.find((r: any) => r.rule === 'elixir/protocol-changed');
    expect(rule.message).toMatch(/defimpl String\.Chars, for: ShopEx\.Total added/);
    // 0.3.0 also changes the listener, whose acceptor waits in gen_tcp:accept: loaded hot, the purge would kill it.
    // That is an error of the hot path, so the restart is the user's explicit choice.
    const kill = plan.hosts[0].reasons.find((r: any) => r.rule === 'live/brutal-purge-kills');
    expect(kill.message).toMatch(/Elixir\.ShopEx\.Listener is loaded with brutal_purge/);
    expect((await run(['apply', 'prod', '--yes'])).code).toBe(3);
    const loop = clientLoop(port, { maxMs: 300_000 });
    const r = await run(['apply', 'prod', '--yes', '--restart', '--json']);
    const calls = await loop.stop();
    expect(r.code, JSON.stringify(jsonOf(r).error)).toBe(0);
    const h = jsonOf(r).hosts[0];
    expect(h).toMatchObject({ from: '0.1.0', to: '0.3.0', execution: 'restart', outcome: 'upgraded' });
    const total = await request(port, 'get');
    expect(await request(port, 'total')).toBe(`total ${total}`);
    expect(await request(port, 'env greeting')).toBe('"hello from the host"');
    console.log(`mix protocol restart: downtime ${h.downtimeMs} ms, ${calls.ok} client calls ok, ${calls.failures.length} failed`);
    // Back to 0.1.0: a restart made no relup, so there is no down-path to take hot (the protocol check of a
    // downgrade with one is in test/unit/core-downgrade.test.ts).
    const back = await run(['downgrade', 'prod', '--to', '0.1.0', '--yes', '--json']);
    expect(back.code, back.stdout).toBe(0);
    const down = jsonOf(back);
    expect(down.hosts[0]).toMatchObject({ from: '0.3.0', to: '0.1.0', execution: 'restart', outcome: 'upgraded' });
    const downPlan = down.events.find((e: { type: string }) => e.type === 'plan').plan;
    expect(downPlan.hosts[0].reasons.map((r: { rule: string }) => r.rule)).toEqual(['relup/no-down-path']);
    expect(await request(port, 'vsn')).toBe('ex-v1');
  });

  test('the helpers left no crash dump and nothing in the deploy user\'s home: their cache is under deploy_to/.hotup', async () => {
    const found = await sh('find', [root, os.homedir(), '-maxdepth', '3', '-name', 'erl_crash.dump', '-newer', marker]);
    expect(found.stdout.trim()).toBe('');
    const cached = await sh('find', [path.join(root, '.hotup/cache'), '-name', '*.beam']);
    expect(cached.stdout).toMatch(/hotup_helper_twin\.beam/);
    // The session helper, started as hotup starts it on the host, with an empty home: the cookie comes from
    // the release, and distribution neither reads nor creates ~/.erlang.cookie there.
    const home = await tempDir('home');
    const [cmd, ...args] = sessionArgv(root, APP, helpersDigest());
    const hello = await new Promise<string>((resolve, reject) => {
      const child = spawn(cmd!, args, { env: { ...process.env, ...env, HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
    expect(hello).toMatch(/^HOTUP1:/);
    expect(await readdir(home)).toEqual([]);
    await rm(home, { recursive: true, force: true });
  });
});
