/**
 * The restart path through a systemd unit, and `hotup prune`, against a real node behind sshd.
 *
 * The test machine runs no systemd: `systemctl`, `journalctl` and `sudo` are the fakes of
 * test/support/fake-systemd.ts, first on the PATH of hotup's commands on the host (the `env:` PATH of
 * hotup.yml), for one Type=simple unit with ExecStart=bin/shop foreground.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { deployTarball, newInstance, request, shopEnv, stopNode, type ShopInstance } from '../support/shop-node.js';
import { waitFor } from '../support/wait.js';
import { checkout, tempDir } from '../support/shop-project.js';
import { buildRebar3Shop, workingCopy } from '../support/fixture-build.js';
import { hotup, jsonOf } from '../support/cli.js';
import { shopHealthCommand, writeHotupConfig } from '../support/hotup-config.js';
import { writeFakeSystemd } from '../support/fake-systemd.js';

const UNIT = 'shop-test';
const execFileP = promisify(execFile);
const SCHEMAS = path.resolve(import.meta.dirname, '../../docs/schemas');

let sshd: SshdHandle;
let inst: ShopInstance;
let project: string;
let root: string;
let work: string;
let fakes: string;

const run = (args: string[]) => hotup(args, { cwd: project });
const startErl = async () => (await readFile(path.join(root, 'releases/start_erl.data'), 'utf8')).trim().split(' ')[1];
const calls = async () => (await readFile(path.join(fakes, 'calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
const exists = (p: string) => stat(p).then(() => true, () => false);

beforeAll(async () => {
  sshd = await startSshd();
  inst = await newInstance();
  work = await tempDir('systemd');
  project = path.join(work, 'project');
  root = path.join(work, 'opt/shop');
  fakes = path.join(work, 'fake-bin');
  const v1 = await buildRebar3Shop(['v1'], { tarball: true });
  await workingCopy(v1, project);
  await deployTarball(v1.tarball!, root);
  await writeFakeSystemd(fakes, UNIT, [path.join(root, 'bin/shop'), 'foreground'], root);
  // The node starts as the unit's main process, as it would on a host.
  await execFileP(path.join(fakes, 'systemctl'), ['restart', UNIT], { env: { ...process.env, ...shopEnv(inst) }, timeout: 60_000 });
  await waitFor('the unit\'s node to answer', async () => (await request(inst.port, 'vsn', 1_000)) === 'v1', { timeoutMs: 30_000, intervalMs: 300 });
  await rm(path.join(fakes, 'calls'));
  await writeHotupConfig(project, 'shop', [{
    name: 'prod',
    hosts: [`${sshd.user}@127.0.0.1:${sshd.port}`],
    deployTo: root,
    identity: sshd.identity,
    knownHosts: sshd.knownHosts,
    settings: {
      env: { ...shopEnv(inst), PATH: `${fakes}:${process.env.PATH}` },
      health: { command: shopHealthCommand(inst.port), retries: 3, interval: 1, timeout: 3 },
      restart: { systemd: UNIT, sudo: true },
      node_wait: 30,
    },
  }]);
});

afterAll(async () => {
  if (root) await stopNode(root, 'shop', shopEnv(inst));
  await sshd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('restart through systemd', () => {
  test('sudo -n refused: stopped before any change, the sudoers line given, the node untouched', async () => {
    await writeFile(path.join(fakes, 'sudo-deny'), '');
    await checkout(project, 'v2');
    const r = await run(['apply', 'prod', '--yes', '--restart']);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/sudo -n refused `systemctl restart shop-test`: sudo: a password is required/);
    expect(r.stderr).toContain(`${sshd.user} ALL=(root) NOPASSWD: /usr/bin/systemctl restart shop-test, /usr/bin/journalctl -u shop-test -n 20 --no-pager`);
    expect(await calls()).not.toContain(`systemctl restart ${UNIT}`);
    expect(await request(inst.port, 'vsn')).toBe('v1');
    expect(await startErl()).toBe('0.1.0');
    await rm(path.join(fakes, 'sudo-deny'));
  });

  test('apply --restart: sudo -n systemctl restart, the unit active, the node back on 0.2.0 read back, downtime measured', async () => {
    const r = await run(['apply', 'prod', '--yes', '--restart', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const doc = jsonOf(r);
    expect(doc.hosts[0]).toMatchObject({ from: '0.1.0', to: '0.2.0', execution: 'restart', outcome: 'upgraded' });
    expect(doc.hosts[0].downtimeMs).toBeGreaterThan(0);
    const restarted = doc.events.find((e: any) => e.type === 'step' && e.step === 'restart' && e.phase === 'done');
    expect(restarted.detail).toMatch(/^node back \(systemctl restart shop-test\) running 0\.2\.0, downtime/);
    expect(await calls()).toEqual(expect.arrayContaining([`sudo -n -l systemctl restart ${UNIT}`, `sudo -n systemctl restart ${UNIT}`, `systemctl restart ${UNIT}`]));
    expect((await calls()).some((c) => c.startsWith('systemctl show'))).toBe(true);
    expect(await readFile(path.join(fakes, 'state'), 'utf8')).toBe('active\n');
    expect(await request(inst.port, 'vsn')).toBe('v2');
    expect(await startErl()).toBe('0.2.0');
    console.log(`systemd restart downtime: ${doc.hosts[0].downtimeMs} ms`);
  });

  test('a 0.3.0 that needs a new emulator goes through the unit too', async () => {
    await checkout(project, 'v3');
    const r = await run(['apply', 'prod', '--yes', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(jsonOf(r).hosts[0]).toMatchObject({ from: '0.2.0', to: '0.3.0', execution: 'restart', outcome: 'upgraded' });
    expect((await calls()).filter((c) => c === `systemctl restart ${UNIT}`)).toHaveLength(2);
    expect(await request(inst.port, 'vsn')).toBe('v3');
  });

  test('a unit that fails to start: its journal in the error, rolled back through the unit, the next command said', async () => {
    // 0.2.0's kernel configuration made invalid on the host: its VM dies at boot, as a broken release would.
    const sysConfig = path.join(root, 'releases/0.2.0/sys.config');
    const good = await readFile(sysConfig, 'utf8');
    await writeFile(sysConfig, '[{kernel, [{logger_level, not_a_level}]}].\n');
    try {
      const r = await run(['downgrade', 'prod', '--yes', '--json']);
      expect(r.code, r.stdout).toBe(7);
      const doc = jsonOf(r);
      expect(doc.error.code).toBe('ROLLED_BACK');
      const failed = doc.events.find((e: any) => e.type === 'step' && e.step === 'restart' && e.phase === 'fail');
      expect(failed.error.message).toMatch(/^the unit shop-test failed after systemctl restart \(ActiveState=failed, SubState=failed\); journalctl -u shop-test -n 20:\n/);
      expect(failed.error.message).toMatch(/logger_level|not_a_level|Kernel pid terminated/);
      expect(failed.error.remedy).toMatch(/systemctl status shop-test/);
      expect(await calls()).toContain(`journalctl -u ${UNIT} -n 20 --no-pager`);
      expect(await request(inst.port, 'vsn')).toBe('v3');
      expect(await startErl()).toBe('0.3.0');
      expect(await readFile(path.join(fakes, 'state'), 'utf8')).toBe('active\n');
    } finally {
      await writeFile(sysConfig, good);
    }
  });
});

describe('hotup prune', () => {
  test('--dry-run names 0.1.0 and what it would free; nothing removed', async () => {
    const r = await run(['prune', 'prod', '--keep', '0', '--dry-run', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const doc = jsonOf(r);
    const ajv = new Ajv({ allErrors: true });
    for (const f of ['events', 'prune']) ajv.addSchema(JSON.parse(await readFile(path.join(SCHEMAS, `${f}.schema.json`), 'utf8')));
    expect(ajv.validate('prune.schema.json', doc), ajv.errorsText()).toBe(true);
    expect(doc.hosts[0]).toMatchObject({ remove: ['0.1.0'], removed: [] });
    expect(doc.hosts[0].bytes).toBeGreaterThan(0);
    expect(await exists(path.join(root, 'releases/0.1.0'))).toBe(true);
  });

  test('keeps the running/permanent 0.3.0 and the previous 0.2.0; removes 0.1.0 and its lib dir; bytes freed read from the disk', async () => {
    const libs = () => readdirSync(path.join(root, 'lib')).filter((d) => d.startsWith('shop-'));
    expect(libs()).toContain('shop-0.1.0');
    const r = await run(['prune', 'prod', '--keep', '0', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const h = jsonOf(r).hosts[0];
    expect(h.removed).toEqual(['0.1.0']);
    expect(h.kept).toEqual([{ vsn: '0.3.0', why: ['running', 'permanent'] }, { vsn: '0.2.0', why: ['previous'] }]);
    expect(h.releases.map((x: any) => x.vsn)).toEqual(['0.3.0', '0.2.0']);
    expect(h.bytes).toBeGreaterThan(0);
    expect(await exists(path.join(root, 'releases/0.1.0'))).toBe(false);
    expect(libs()).not.toContain('shop-0.1.0');
    expect(await request(inst.port, 'vsn')).toBe('v3');
    const history = jsonOf(await run(['history', 'prod', '--json']));
    expect(history.entries.at(-1)).toMatchObject({ step: 'prune', result: 'done', from: '0.3.0', to: '0.3.0' });
    console.log(`prune freed ${h.bytes} bytes`);
  });

  test('the node down: refused with the remedy, nothing removed', async () => {
    // Last: the node stays down (afterAll has nothing to stop).
    await stopNode(root, 'shop', shopEnv(inst));
    const r = await run(['prune', 'prod', '--keep', '0']);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/release_handler removes releases only on a live node/);
    expect(await exists(path.join(root, 'releases/0.2.0'))).toBe(true);
  });
});
