/**
 * rebar3 projects whose applications change version without an appup, built
 * by real rebar3 and upgraded on a real node: hotup generates the appups (the
 * project's shop and its second application, shop_fmt), or, with generation
 * off, says RESTART (appup/missing) without asking rebar3 for a relup, and
 * `apply --restart` restarts into a tarball that has none. A project appup in
 * rel/appups/ wins; an honest appup in the build is left as it is.
 */
import { readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SshdHandle } from '../support/sshd.js';
import { startShopHost, type ShopHost } from '../support/shop-host.js';
import { clientLoop, nodeEval, request, shopEnv, type ShopInstance } from '../support/shop-node.js';
import { checkoutVariant, fixtureVersion } from '../support/shop-project.js';
import { workingCopy, type ShopBuild } from '../support/fixture-build.js';
import { hotup, jsonOf } from '../support/cli.js';
import { writeHotupConfig } from '../support/hotup-config.js';

let host: ShopHost | undefined;
let sshd: SshdHandle;
let inst: ShopInstance;
let v1: ShopBuild;
let work: string;
let project: string;
let root: string;

const SHOP_APPUP = 'apps/shop/ebin/shop.appup';
const reasonsOf = (plan: any) => plan.hosts[0].reasons.map((r: any) => r.rule);
const appupOf = (plan: any, app: string) => plan.target.appups?.find((a: any) => a.app === app);
/** What a --json run's STEP said when it was done. */
const stepDetail = (doc: any, step: string) => doc.events.find((e: any) => e.type === 'step' && e.step === step && e.phase === 'done')?.detail;

/** hotup.yml for PROJECT, with build.appups as given. */
function configure(dir: string, appups: 'generate' | 'off') {
  return writeHotupConfig(dir, 'shop', [{
    name: 'prod',
    hosts: [`${sshd.user}@127.0.0.1:${sshd.port}`],
    deployTo: root,
    identity: sshd.identity,
    knownHosts: sshd.knownHosts,
    settings: { env: shopEnv(inst), node_wait: 20 },
  }], { build: { host: 'local', tool: 'rebar3', path: '.', profile: 'prod', appups } });
}

/** The version with shop_fmt (dep-vN over vN), shop's own appup taken out unless KEEP. */
async function checkoutDep(dir: string, n: 2 | 3, keep = false): Promise<void> {
  await checkoutVariant(dir, `dep-v${n}`, `v${n}`);
  if (!keep) await rm(path.join(dir, SHOP_APPUP));
}

beforeAll(async () => {
  host = await startShopHost('appups', { source: { base: 'v1', variant: 'dep-v1' } });
  ({ sshd, inst, work, project, root, build: v1 } = host);
  await request(inst.port, 'add 40');
});

afterAll(async () => {
  await host?.stop();
});

describe('the good twin', () => {
  test('an honest appup in the build is used as it is, with no finding; only the bumped shop_fmt gets one generated', async () => {
    // A project of its own: shop's appup, once compiled into _build, would stay there for the tests after it.
    const twin = await workingCopy(v1, path.join(work, 'twin'));
    await checkoutDep(twin, 2, true);
    await configure(twin, 'generate');
    const r = await hotup(['plan', 'prod', '--json'], { cwd: twin });
    expect(r.code, r.stderr).toBe(0);
    const plan = jsonOf(r);
    expect(plan.hosts[0]).toMatchObject({ from: '0.1.0', to: '0.2.0', action: 'hot' });
    expect(appupOf(plan, 'shop')).toEqual({ app: 'shop', source: 'build', text: null });
    expect(appupOf(plan, 'shop_fmt').source).toBe('generated');
    expect(reasonsOf(plan).filter((x: string) => x.startsWith('appup/') || x.startsWith('relup/'))).toEqual([]);
    const honest = await readFile(path.join(fixtureVersion('v2'), SHOP_APPUP), 'utf8');
    expect(await readFile(path.join(twin, '_build/prod/rel/shop/lib/shop-0.2.0/ebin/shop.appup'), 'utf8')).toBe(honest);
  });
});

describe('0.1.0 → 0.2.0: shop and shop_fmt bumped, neither with an appup', () => {
  test('generation off: RESTART with appup/missing for each, no relup asked of rebar3, no BUILD_FAILED', async () => {
    await checkoutDep(project, 2);
    await configure(project, 'off');
    const r = await hotup(['plan', 'prod', '--json'], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    const plan = jsonOf(r);
    expect(plan.hosts[0]).toMatchObject({ from: '0.1.0', to: '0.2.0', action: 'restart' });
    const missing = plan.hosts[0].reasons.filter((x: any) => x.rule === 'appup/missing');
    expect(missing.map((x: any) => x.app).sort()).toEqual(['shop', 'shop_fmt']);
    expect(missing[0].message).toMatch(/hotup generated none \(generation is off: build\.appups is off\)/);
    expect(missing[0].remedy).toMatch(/rel\/appups\/shop(_fmt)?\.appup.*build\.appups: generate.*apply --restart/);
    expect(stepDetail(plan, 'relup')).toBe('tarball of 0.2.0 made, without a relup (no relup can be made: shop appup/missing, shop_fmt appup/missing)');
    expect(existsSync(path.join(project, '_build/prod/rel/shop/releases/0.2.0/relup'))).toBe(false);
    expect(plan.target.tarball).not.toBeNull();

    // The same decision offline, from the two tarballs alone.
    const offline = await hotup(['inspect', plan.target.tarball.path, '--old', v1.tarball!, '--json'], { cwd: work });
    expect(offline.code, offline.stderr).toBe(0);
    const doc = jsonOf(offline);
    expect(doc.old).toMatchObject({ vsn: '0.1.0' });
    expect(doc.findings.map((x: any) => [x.rule, x.app ?? null]).sort()).toEqual([['appup/missing', 'shop'], ['appup/missing', 'shop_fmt'], ['relup/missing', null]]);
    expect(doc.notChecked.join(' ')).toMatch(/processes run code of the modules the upgrade purges/);
  });

  test('a project appup in rel/appups/ wins; shop_fmt gets one generated, each module before its callers', async () => {
    await configure(project, 'generate');
    const own = (await readFile(path.join(fixtureVersion('v2'), SHOP_APPUP), 'utf8')).replace('{advanced, []}, [shop_audit]', '{advanced, from_rel_appups}, [shop_audit]');
    await mkdir(path.join(project, 'rel/appups'), { recursive: true });
    await writeFile(path.join(project, 'rel/appups/shop.appup'), own);
    try {
      const r = await hotup(['plan', 'prod', '--json'], { cwd: project });
      expect(r.code, r.stderr).toBe(0);
      const plan = jsonOf(r);
      expect(plan.hosts[0].action).toBe('hot');
      expect(appupOf(plan, 'shop')).toMatchObject({ source: 'project', text: own });
      const fmt = appupOf(plan, 'shop_fmt');
      expect(fmt.source).toBe('generated');
      const lines = fmt.text.split('\n').map((l: string) => l.trim().replace(/,$/, ''));
      const up = lines.slice(lines.indexOf('[{"0.1.0", ['), lines.indexOf(']}]'));
      // shop_fmt calls shop_fmt_names' new list/1: the gen_server goes first, though plain code comes first by kind.
      expect(up).toEqual(['[{"0.1.0", [', '{add_module, shop_fmt_unit}', '{update, shop_fmt_names, {advanced, []}}', '{load_module, shop_fmt}']);
      // The relup rebar3 made carries the project appup's Extra.
      expect(await readFile(path.join(project, '_build/prod/rel/shop/releases/0.2.0/relup'), 'utf8')).toMatch(/\{code_change,up,\[\{shop_counter,from_rel_appups\}\]\}/);
      expect(reasonsOf(plan).filter((x: string) => x.startsWith('appup/'))).toEqual([]);
    } finally {
      await rm(path.join(project, 'rel'), { recursive: true });
    }
  });

  test('apply with the generated appups: hot, shop_counter state migrated by code_change, both applications live, no client failure', async () => {
    const plan = jsonOf(await hotup(['plan', 'prod', '--json'], { cwd: project }));
    expect(plan.hosts[0].action).toBe('hot');
    expect(appupOf(plan, 'shop').source).toBe('generated');
    expect(appupOf(plan, 'shop').text).toContain('{update, shop_counter, {advanced, []}}');
    expect(appupOf(plan, 'shop').text).toContain('{add_module, shop_audit}');

    const loop = clientLoop(inst.port, { maxMs: 300_000 });
    const r = await hotup(['apply', 'prod', '--yes', '--json'], { cwd: project });
    const calls = await loop.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOf(r).hosts[0]).toMatchObject({ execution: 'hot', outcome: 'upgraded' });
    expect(calls.failures).toEqual([]);
    expect(await request(inst.port, 'vsn')).toBe('v2');
    // v2's code_change turned v1's integer into the map and kept the total.
    expect(await request(inst.port, 'state')).toMatch(new RegExp(`total => ${40 + calls.added}\\b`));
    expect(await nodeEval(root, shopEnv(inst), 'shop_fmt:total(3).')).toBe('"3items"');
  });
});

describe('0.2.0 → 0.3.0 with generation off and --restart', () => {
  test('apply --restart builds no relup and restarts into 0.3.0', async () => {
    await checkoutDep(project, 3);
    await configure(project, 'off');
    const r = await hotup(['apply', 'prod', '--restart', '--yes', '--json'], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    const doc = jsonOf(r);
    expect(doc.hosts[0]).toMatchObject({ from: '0.2.0', to: '0.3.0', execution: 'restart', outcome: 'upgraded' });
    expect(stepDetail(doc, 'tar')).toBe('tarball of 0.3.0 made, without a relup (a restart was asked for)');
    expect(existsSync(path.join(root, 'releases/0.3.0/relup'))).toBe(false);
    expect(await request(inst.port, 'vsn')).toBe('v3');
  });
});
