/**
 * ProxyJump for real: a jump host and a target reachable only through it, each a real sshd in
 * its own network namespace (test/support/netns.ts), a real release node running on the target,
 * and hotup told nothing but an alias that a test ssh config resolves through the jump host.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import type { HotupError } from '../../src/errors.js';
import { knownHostsName } from '../../src/remote/known-hosts.js';
import { SshExecutor } from '../../src/remote/ssh.js';
import { hotup, jsonOf } from '../support/cli.js';
import { buildRebar3Shop, workingCopy } from '../support/fixture-build.js';
import { createJumpNet, NET, pidsIn, removeJumpNet, runIn } from '../support/netns.js';
import { deployTarball, newInstance, shopEnv, type ShopInstance } from '../support/shop-node.js';
import { checkout, tempDir } from '../support/shop-project.js';
import { keygen, startSshd, type SshdHandle } from '../support/sshd.js';
import { waitFor } from '../support/wait.js';

const JUMP_PORT = 2222;
let jump: SshdHandle | undefined;
let target: SshdHandle | undefined;
let inst: ShopInstance;
let work: string;
let root: string;
let sshConfig: string;

/** A config that names the target only as `shop-target`, through `bastion`, with each host's own key and KNOWN_HOSTS. */
function sshConfigText(knownHosts: string): string {
  return [
    'Host shop-target shop-closed',
    `  HostName ${NET.targetAddress}`,
    '  ProxyJump bastion',
    `  IdentityFile ${target!.identity}`,
    'Host shop-closed',
    // Nothing listens there: the jump host cannot open the forward.
    '  Port 23',
    // Two hops: the jump host, then the jump host again as it reaches itself.
    'Host shop-twice',
    `  HostName ${NET.targetAddress}`,
    '  ProxyJump bastion,bastion',
    `  IdentityFile ${target!.identity}`,
    'Host bastion',
    `  HostName ${NET.jumpAddress}`,
    `  Port ${JUMP_PORT}`,
    `  IdentityFile ${jump!.identity}`,
    'Host *',
    `  User ${target!.user}`,
    `  UserKnownHostsFile ${knownHosts}`,
    '  IdentitiesOnly yes',
    '',
  ].join('\n');
}

/** Waits until the jump host's sshd serves no connection: its listener is all that runs in the namespace. */
const jumpIdle = () => waitFor('the jump host to serve no connection', async () => (await pidsIn(NET.jump)).length === 1, { timeoutMs: 10_000 });

beforeAll(async () => {
  await createJumpNet();
  jump = await startSshd({ netns: { name: NET.jump, address: NET.jumpAddress, port: JUMP_PORT } });
  target = await startSshd({ netns: { name: NET.target, address: NET.targetAddress, port: 22 } });
  work = await tempDir('jump');
  root = path.join(work, 'opt/shop');
  inst = await newInstance();
  const v1 = await buildRebar3Shop(['v1'], { tarball: true });
  await deployTarball(v1.tarball!, root);
  await workingCopy(v1, path.join(work, 'project'));
  // The node runs on the target: in its namespace, with its own epmd.
  await runIn(NET.target, [path.join(root, 'bin/shop'), 'daemon'], shopEnv(inst));
  await waitFor('the shop node on the target to answer', () => runIn(NET.target, [path.join(root, 'bin/shop'), 'ping'], shopEnv(inst), 10_000),
    { timeoutMs: 30_000, intervalMs: 300 });

  // known_hosts as ssh keys them: the jump host under [address]:port, the target under its HostName.
  const knownHosts = path.join(work, 'known_hosts');
  await writeFile(knownHosts, `${knownHostsName(NET.jumpAddress, JUMP_PORT)} ${jump.hostKeys.ed25519}\n${knownHostsName(NET.targetAddress, 22)} ${target.hostKeys.ed25519}\n`);
  sshConfig = path.join(work, 'ssh_config');
  await writeFile(sshConfig, sshConfigText(knownHosts));
  // The same, but what it records for the jump host is another key.
  const changedHosts = path.join(work, 'changed_known_hosts');
  const other = await keygen(path.join(work, 'other_host_key'));
  await writeFile(changedHosts, `${knownHostsName(NET.jumpAddress, JUMP_PORT)} ${other}\n${knownHostsName(NET.targetAddress, 22)} ${target.hostKeys.ed25519}\n`);
  const changedConfig = path.join(work, 'changed_ssh_config');
  await writeFile(changedConfig, sshConfigText(changedHosts));
  // And one that knows the jump host only.
  const jumpOnlyHosts = path.join(work, 'jump_only_known_hosts');
  await writeFile(jumpOnlyHosts, `${knownHostsName(NET.jumpAddress, JUMP_PORT)} ${jump.hostKeys.ed25519}\n`);
  const unknownConfig = path.join(work, 'unknown_ssh_config');
  await writeFile(unknownConfig, sshConfigText(jumpOnlyHosts));

  const env = (hosts: string[], ssh: Record<string, unknown>) => ({ hosts, deploy_to: root, env: shopEnv(inst), ssh });
  await writeFile(path.join(work, 'hotup.yml'), stringify({
    app: 'shop',
    environments: {
      prod: env(['shop-target'], { config: sshConfig }),
      direct: env([`${target.user}@${NET.targetAddress}`], { config: false, identity: target.identity, known_hosts: knownHosts, connect_timeout: 5 }),
      changed: env(['shop-target'], { config: changedConfig }),
      closed: env(['shop-closed'], { config: sshConfig }),
      unknown: env(['shop-target'], { config: unknownConfig }),
    },
  }));
}, 300_000);

afterAll(async () => {
  // Everything in the namespaces (both sshds, the node, its epmd) goes with them.
  await removeJumpNet();
  await jump?.stop();
  await target?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('through a jump host', () => {
  test('hotup status reaches the live node on the target through the jump host', async () => {
    const r = await hotup(['status', 'prod', '--json'], { cwd: work, timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const h = jsonOf(r).hosts[0];
    expect(h.running).toBe('0.1.0');
    expect(h.startErl.vsn).toBe('0.1.0');
    expect(h.live.up).toBe(true);
    expect(h.live.releases.map((e: any) => [e.vsn, e.status])).toEqual([['0.1.0', 'permanent']]);
  });

  test('a direct connection to the target fails: it is reachable only through the jump host', async () => {
    const r = await hotup(['status', 'direct', '--json'], { cwd: work, timeoutMs: 60_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/SSH_CONNECT/);
    expect(r.stderr + r.stdout).toMatch(new RegExp(`cannot connect to ${NET.targetAddress.replaceAll('.', '\\.')} port 22: the host is unreachable`));
  });

  test('a changed host key of the jump host is refused, naming the jump host', async () => {
    const r = await hotup(['status', 'changed'], { cwd: work, timeoutMs: 60_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SSH_HOST_KEY_CHANGED/);
    expect(r.stderr).toContain(`the host key of [${NET.jumpAddress}]:${JUMP_PORT} (a jump host on the way to shop-target) has CHANGED`);
    expect(r.stderr).toContain(`ssh-keygen -R '[${NET.jumpAddress}]:${JUMP_PORT}'`);
  });

  test('an unknown host key of the target behind the jump host is refused; the remedy fetches it through the jump host', async () => {
    const r = await hotup(['status', 'unknown'], { cwd: work, timeoutMs: 60_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SSH_HOST_KEY_UNKNOWN/);
    expect(r.stderr).toContain(`the host key of ${NET.targetAddress} is not in`);
    expect(r.stderr).toContain(`ssh -p ${JUMP_PORT} ${target!.user}@${NET.jumpAddress} ssh-keyscan -t ed25519 -p 22 ${NET.targetAddress} >>`);
  });

  test('a forward the jump host cannot open is an error naming the jump host, with a remedy', async () => {
    const r = await hotup(['status', 'closed'], { cwd: work, timeoutMs: 60_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SSH_CONNECT/);
    expect(r.stderr).toContain(`the jump host bastion (${NET.jumpAddress} port ${JUMP_PORT}) on the way to shop-closed could not open a connection to ${NET.targetAddress} port 23`);
    expect(r.stderr).toContain(`nc -vz ${NET.targetAddress} 23`);
  });

  test('commands and uploads run on the target, coming from the jump host; closing ends the jump host connection too', async () => {
    await jumpIdle();
    const spec = { raw: 'shop-target', user: 'nobody', host: 'shop-target', port: 22, defaulted: { user: true as const, port: true as const } };
    const e = await SshExecutor.connect(spec, { config: sshConfig, commandTimeoutMs: 30_000 });
    // SSH_CONNECTION: client address and port, server address and port, as the target's sshd saw them.
    const seen = (await e.run(['sh', '-c', 'echo "$SSH_CONNECTION"'])).stdout.trim().split(' ');
    expect([seen[0], seen[2], seen[3]]).toEqual(['10.231.2.1', NET.targetAddress, '22']);
    // Files go over the same connection (SFTP, as a tarball is shipped).
    const payload = randomBytes(1 << 20);
    await writeFile(path.join(work, 'payload'), payload);
    await e.upload(path.join(work, 'payload'), path.join(work, 'payload.shipped'));
    expect((await readFile(path.join(work, 'payload.shipped'))).equals(payload)).toBe(true);
    expect((await pidsIn(NET.jump)).length).toBeGreaterThan(1);
    await e.close();
    await jumpIdle();
  });

  test('when the jump host drops the connection, the host\'s link is reported lost', async () => {
    const spec = { raw: 'shop-target', user: 'nobody', host: 'shop-target', port: 22, defaulted: { user: true as const, port: true as const } };
    const e = await SshExecutor.connect(spec, { config: sshConfig, commandTimeoutMs: 30_000 });
    expect((await e.run(['true'])).code).toBe(0);
    // The jump host's session processes die; its listening sshd stays.
    const listener = Number((await readFile(path.join(jump!.dir, 'sshd.pid'), 'utf8')).trim());
    for (const pid of await pidsIn(NET.jump)) if (pid !== listener) process.kill(pid, 'SIGKILL');
    const lost = await waitFor('the lost link to show', () => e.run(['true']).then(() => false as const, (err: HotupError) => err), { timeoutMs: 10_000 });
    expect(lost.code).toBe('LINK_LOST');
    expect(lost.message).toContain('the connection to shop-target (through its jump hosts) was lost');
    await e.close();
  });

  test('two hops, each with its host key checked, and all closed with the connection', async () => {
    await jumpIdle();
    const spec = { raw: 'shop-twice', user: 'nobody', host: 'shop-twice', port: 22, defaulted: { user: true as const, port: true as const } };
    const e = await SshExecutor.connect(spec, { config: sshConfig, commandTimeoutMs: 30_000 });
    expect((await e.run(['sh', '-c', 'echo "$SSH_CONNECTION"'])).stdout.split(' ')[0]).toBe('10.231.2.1');
    // The jump host's sshd now serves two connections: from here, and from itself.
    const jumpSessions = (await runIn(NET.jump, ['ss', '-Htn', 'state', 'established', `( sport = :${JUMP_PORT} )`])).stdout;
    const peers = jumpSessions.trim().split('\n').map((l) => l.trim().split(/\s+/).at(-1)!.replace(/:\d+$/, ''));
    expect(peers.sort()).toEqual(['10.231.1.1', NET.jumpAddress]);
    await e.close();
    await jumpIdle();
  });

  // Last: it moves the target on to 0.2.0.
  test('from hotup init to a hot upgrade of the node behind the jump host', async () => {
    const project = path.join(work, 'project');
    await checkout(project, 'v2');
    const CI = { CI: 'true' };
    const made = await hotup(['init', '--host', 'shop-target', '--deploy-to', root, '--env', 'prod'], { cwd: project, env: CI });
    expect(made.code, made.stderr).toBe(0);
    // What the user adds for this host: where their ssh config is (here not ~/.ssh/config), and the node's environment.
    const file = path.join(project, 'hotup.yml');
    const config = parse(await readFile(file, 'utf8'));
    Object.assign(config.environments.prod, { env: shopEnv(inst), ssh: { config: sshConfig } });
    await writeFile(file, stringify(config));
    const r = await hotup(['apply', '--yes', '--json'], { cwd: project, env: CI, timeoutMs: 300_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(jsonOf(r).hosts[0]).toMatchObject({ host: 'shop-target', from: '0.1.0', to: '0.2.0', execution: 'hot', outcome: 'upgraded' });
    // Read back on the target, inside its namespace: the new code answers, and 0.2.0 is what it boots.
    const vsn = await runIn(NET.target, [path.join(root, 'bin/shop'), 'eval', 'shop_counter:code_vsn().'], shopEnv(inst));
    expect(vsn.stdout).toMatch(/v2/);
    expect((await readFile(path.join(root, 'releases/start_erl.data'), 'utf8')).trim()).toMatch(/ 0\.2\.0$/);
  });
});
