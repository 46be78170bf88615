/**
 * A fleet of three hosts — three sshd servers on 127.0.0.1, each in front of
 * its own release root and node — upgraded rolling and in parallel, a canary
 * that fails and stops the rollout, two applies racing for the lock, and the
 * --json output checked against the documented schema.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { deployTarball, newInstance, request, shopEnv, startNode, stopNode } from '../support/shop-node.js';
import { checkout, checkoutVariant, tempDir } from '../support/shop-project.js';
import { buildRebar3Shop, workingCopy } from '../support/fixture-build.js';
import { waitFor } from '../support/wait.js';
import { hotup, jsonOf } from '../support/cli.js';
import { writeHotupConfig } from '../support/hotup-config.js';

interface Host {
  sshd: SshdHandle;
  root: string;
  env: Record<string, string>;
  port: number;
}

const SCHEMAS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/schemas');
let hosts: Host[] = [];
let work: string;
let project: string;
const run = (args: string[]) => hotup(args, { cwd: project });
const versions = () => Promise.all(hosts.map((h) => request(h.port, 'vsn')));

async function checkoutFleet(version: string, variant?: string): Promise<void> {
  if (variant) await checkoutVariant(project, variant, version);
  else await checkout(project, version);
}

const RELEASE: Record<string, string> = { v1: '0.1.0', v2: '0.2.0' };
const running = async (): Promise<string[]> => jsonOf(await run(['status', 'prod', '--json'])).hosts.map((h: any) => h.running);

/**
 * Brings every host to VERSION (v1 or v2) and checks it out, whatever an
 * earlier test left behind, so each test states the fleet it starts from.
 */
async function fleetOn(version: 'v1' | 'v2'): Promise<void> {
  const want = RELEASE[version]!;
  await checkoutFleet(version);
  const now = await running();
  if (now.some((v) => v > want)) {
    const r = await run(['downgrade', 'prod', '--to', want, '--yes']);
    if (r.code !== 0) throw new Error(`downgrade to ${want} failed:\n${r.stderr}`);
  }
  if (now.some((v) => v < want)) {
    const r = await run(['apply', 'prod', '--yes', '--parallel', '3']);
    if (r.code !== 0) throw new Error(`apply of ${want} failed:\n${r.stderr}`);
  }
  expect(await running()).toEqual([want, want, want]);
}

const hookLines = async (): Promise<string[]> =>
  (await readFile(path.join(work, 'hooks.log'), 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');

beforeAll(async () => {
  work = await tempDir('fleet');
  project = path.join(work, 'project');
  const v1 = await buildRebar3Shop(['v1'], { tarball: true });
  await workingCopy(v1, project);
  for (const name of ['a', 'b', 'c']) {
    const inst = await newInstance(`fleet_${name}`);
    const root = path.join(work, 'hosts', name);
    await deployTarball(v1.tarball!, root);
    await startNode(root, 'shop', shopEnv(inst));
    hosts.push({ sshd: await startSshd(), root, env: shopEnv(inst), port: inst.port });
  }
  await writeHotupConfig(project, 'shop', [{
    name: 'prod',
    hosts: hosts.map((h) => ({ host: `${h.sshd.user}@127.0.0.1:${h.sshd.port}`, deploy_to: h.root, env: h.env })),
    deployTo: '/unused',
    identity: hosts[0]!.sshd.identity,
    knownHosts: path.join(work, 'known_hosts'),
    settings: { health: { command: 'bash -c \'exec 3<>/dev/tcp/127.0.0.1/$SHOP_PORT && echo health >&3 && read -r l <&3 && [ "$l" = ok ]\'', retries: 2, interval: 1, timeout: 3 } },
  }], { hooks: { before_upgrade: `echo "$HOTUP_HOST $HOTUP_FROM $HOTUP_TO" >> ${path.join(work, 'hooks.log')}` } });
  // One known_hosts for all three servers, one client key authorised on each.
  const lines = await Promise.all(hosts.map((h) => readFile(h.sshd.knownHosts, 'utf8')));
  await writeFile(path.join(work, 'known_hosts'), lines.join(''));
  for (const h of hosts.slice(1)) await writeFile(path.join(h.sshd.dir, 'authorized_keys'), await readFile(path.join(hosts[0]!.sshd.dir, 'authorized_keys')));
});

afterAll(async () => {
  for (const h of hosts) {
    await stopNode(h.root, 'shop', h.env);
    await h.sshd.stop();
  }
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a fleet of three', () => {
  test('status discovers every host in parallel', async () => {
    await fleetOn('v1');
    const doc = jsonOf(await run(['status', 'prod', '--json']));
    expect(doc.hosts.map((h: any) => h.running)).toEqual(['0.1.0', '0.1.0', '0.1.0']);
  });

  test('rolling upgrade (parallel 1), back down, then parallel 3: all hosts, wall times', async () => {
    await fleetOn('v1');
    const hooksBefore = (await hookLines()).length;
    await checkoutFleet('v2');
    let t = Date.now();
    const rolling = await run(['apply', 'prod', '--yes']);
    const rollingMs = Date.now() - t;
    expect(rolling.code, rolling.stderr).toBe(0);
    expect(rolling.stdout).toMatch(/host\s+before → after\s+how\s+took\s+downtime\s+result/);
    expect(rolling.stdout.match(/0\.1\.0 → 0\.2\.0\s+hot\s+\S+ s\s+-\s+upgraded/g)).toHaveLength(3);
    expect(await versions()).toEqual(['v2', 'v2', 'v2']);
    // Hosts went one after another: each ship starts after the previous verify.
    const order = rolling.stderr.split('\n').filter((l) => /^✓ (ship|verify) /.test(l)).map((l) => l.split(' ')[1]);
    expect(order).toEqual(['ship', 'verify', 'ship', 'verify', 'ship', 'verify']);

    expect((await run(['downgrade', 'prod', '--yes'])).code).toBe(0);
    expect(await versions()).toEqual(['v1', 'v1', 'v1']);
    t = Date.now();
    const parallel = await run(['apply', 'prod', '--yes', '--parallel', '3']);
    const parallelMs = Date.now() - t;
    expect(parallel.code, parallel.stderr).toBe(0);
    expect(await versions()).toEqual(['v2', 'v2', 'v2']);
    console.log(`rolling upgrade of 3 hosts: parallel 1 ${rollingMs} ms, parallel 3 ${parallelMs} ms`);

    const hooked = (await hookLines()).slice(hooksBefore);
    // Up, down (downgrade runs on the same machinery), up again: three hosts each.
    expect(hooked).toHaveLength(9);
    expect(hooked[0]).toMatch(/^\S+@127\.0\.0\.1:\d+ 0\.1\.0 0\.2\.0$/);
    expect(hooked[3]).toMatch(/^\S+@127\.0\.0\.1:\d+ 0\.2\.0 0\.1\.0$/);
  });

  test('--json output is one document that matches the documented schema', async () => {
    await fleetOn('v2');
    const ajv = new Ajv({ allErrors: true });
    for (const f of ['events', 'plan', 'apply', 'error', 'status', 'history', 'lock']) ajv.addSchema(JSON.parse(await readFile(path.join(SCHEMAS, `${f}.schema.json`), 'utf8')));
    const status = await run(['status', 'prod', '--json']);
    expect(ajv.validate('status.schema.json', jsonOf(status)), ajv.errorsText()).toBe(true);
    const history = await run(['history', 'prod', '--json']);
    expect(ajv.validate('history.schema.json', jsonOf(history)), ajv.errorsText()).toBe(true);
    const lock = await run(['lock', 'status', 'prod', '--json']);
    expect(ajv.validate('lock.schema.json', jsonOf(lock)), ajv.errorsText()).toBe(true);
    const plan = await run(['plan', 'prod', '--json']);
    expect(ajv.validate('plan.schema.json', jsonOf(plan)), ajv.errorsText()).toBe(true);
    const noop = await run(['apply', 'prod', '--yes', '--json']);
    expect(ajv.validate('apply.schema.json', jsonOf(noop)), ajv.errorsText()).toBe(true);
    const bad = await run(['downgrade', 'prod', '--to', '9.9.9', '--yes', '--json']);
    expect(bad.code).toBe(6);
    expect(jsonOf(bad).error.exit).toBe(6);
    expect(ajv.validate('error.schema.json', jsonOf(bad)), ajv.errorsText()).toBe(true);
  });

  test('a canary that fails its health check is rolled back; the others are never touched', async () => {
    await fleetOn('v2');
    await checkoutFleet('v3', 'v3-unhealthy');
    const r = await run(['apply', 'prod', '--yes', '--canary', '1', '--json']);
    expect(r.code).toBe(7);
    const doc = jsonOf(r);
    expect(doc.hosts.map((h: any) => h.outcome)).toEqual(['rolled_back', 'untouched', 'untouched']);
    expect(await versions()).toEqual(['v2', 'v2', 'v2']);
    const history = jsonOf(await run(['history', 'prod', '--json', '--limit', '500']));
    const touched = new Set(history.entries.filter((e: any) => e.to === '0.3.2').map((e: any) => e.host));
    expect([...touched]).toEqual([doc.hosts[0].host]);
    expect(history.entries.some((e: any) => e.step === 'rollback' && e.result === 'done')).toBe(true);
  });

  test('two applies at once: exactly one proceeds, the other fails fast naming the holder', async () => {
    await fleetOn('v2');
    await checkoutFleet('v3', 'v3-slow');
    const first = run(['apply', 'prod', '--yes', '--canary', '1']);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    const seen = await waitFor('the first apply to hold the lock on every host', async () => {
      if (firstDone) return 'the first apply ended';
      const status = jsonOf(await run(['lock', 'status', 'prod', '--json']));
      return status.hosts.every((h: any) => h.lock?.what === 'hotup apply prod') && 'held';
    }, { timeoutMs: 120_000, intervalMs: 200 });
    expect(seen, (await Promise.race([first, Promise.resolve(null)]))?.stderr).toBe('held');
    const started = Date.now();
    const second = await run(['apply', 'prod', '--yes']);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(/error LOCK_HELD.*held by \S+@\S+ \(pid \d+, since .*: hotup apply prod\)/);
    const status = jsonOf(await run(['lock', 'status', 'prod', '--json']));
    expect(status.hosts.every((h: any) => h.lock?.what === 'hotup apply prod')).toBe(true);
    expect((await first).code).toBe(0);
    const after = jsonOf(await run(['lock', 'status', 'prod', '--json']));
    expect(after.hosts.every((h: any) => h.lock === null)).toBe(true);
  });
});
