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
import { deployTarball, freePort, request, startNode, stopNode } from '../support/shop-node.js';
import { buildTarball, checkout, checkoutVariant, tempDir, useEnvConfig } from '../support/shop-project.js';
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
  const inst = { sname: 'unused', port: 0 };
  if (variant) await checkoutVariant(project, variant, inst, version);
  else await checkout(project, version, inst);
  await useEnvConfig(project);
}

beforeAll(async () => {
  work = await tempDir('fleet');
  project = path.join(work, 'project');
  await checkoutFleet('v1');
  const tarball = await buildTarball(project, '0.1.0');
  for (const name of ['a', 'b', 'c']) {
    const port = await freePort();
    const env = { SHOP_NODE: `fleet_${process.pid}_${name}`, SHOP_PORT: String(port) };
    const root = path.join(work, 'hosts', name);
    await deployTarball(tarball, root);
    await startNode(root, 'shop', env);
    hosts.push({ sshd: await startSshd(), root, env, port });
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
    const doc = jsonOf(await run(['status', 'prod', '--json']));
    expect(doc.hosts.map((h: any) => h.running)).toEqual(['0.1.0', '0.1.0', '0.1.0']);
  });

  test('rolling upgrade (parallel 1), back down, then parallel 3: all hosts, wall times', async () => {
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

    const hooked = (await readFile(path.join(work, 'hooks.log'), 'utf8')).trim().split('\n');
    // Up, down (downgrade runs on the same machinery), up again: three hosts each.
    expect(hooked).toHaveLength(9);
    expect(hooked[0]).toMatch(/^\S+@127\.0\.0\.1:\d+ 0\.1\.0 0\.2\.0$/);
    expect(hooked[3]).toMatch(/^\S+@127\.0\.0\.1:\d+ 0\.2\.0 0\.1\.0$/);
  });

  test('--json output is one document that matches the documented schema', async () => {
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
    expect(bad.code).toBe(1);
    expect(ajv.validate('error.schema.json', jsonOf(bad)), ajv.errorsText()).toBe(true);
  });

  test('a canary that fails its health check is rolled back; the others are never touched', async () => {
    await checkoutFleet('v3', 'v3-unhealthy');
    const r = await run(['apply', 'prod', '--yes', '--canary', '1', '--json']);
    expect(r.code).toBe(1);
    const doc = jsonOf(r);
    expect(doc.hosts.map((h: any) => h.outcome)).toEqual(['rolled_back', 'untouched', 'untouched']);
    expect(await versions()).toEqual(['v2', 'v2', 'v2']);
    const history = jsonOf(await run(['history', 'prod', '--json', '--limit', '500']));
    const touched = new Set(history.entries.filter((e: any) => e.to === '0.3.2').map((e: any) => e.host));
    expect([...touched]).toEqual([doc.hosts[0].host]);
    expect(history.entries.some((e: any) => e.step === 'rollback' && e.result === 'done')).toBe(true);
  });

  test('two applies at once: exactly one proceeds, the other fails fast naming the holder', async () => {
    await checkoutFleet('v3', 'v3-slow');
    const first = run(['apply', 'prod', '--yes', '--canary', '1']);
    await new Promise((r) => setTimeout(r, 2_500));
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
