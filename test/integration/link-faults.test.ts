/**
 * A link that drops or hangs, for real: an OpenSSH server behind a TCP relay
 * that can cut every connection or stop carrying bytes. Every transfer and
 * every call settles, within its bound, as LINK_LOST — never a hang, never
 * "the node is down".
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SshExecutor } from '../../src/remote/ssh.js';
import { SessionLink } from '../../src/host/session-link.js';
import { knownHostsName } from '../../src/remote/known-hosts.js';
import type { HostSpec, SshSettings } from '../../src/config/types.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { deployTarball, newInstance, shopEnv, startNode, stopNode, type ShopInstance } from '../support/shop-node.js';
import { tempDir } from '../support/shop-project.js';
import { buildRebar3Shop } from '../support/fixture-build.js';
import { failure } from '../support/failure.js';
import { tcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { sessionArgvs } from '../support/session-procs.js';

let sshd: SshdHandle;
let work: string;
let root: string;
let big: string;
let inst: ShopInstance;

/** An executor that reaches sshd through a fresh relay. */
async function viaProxy(commandTimeoutMs: number): Promise<{ exec: SshExecutor; proxy: TcpProxy }> {
  const proxy = await tcpProxy(sshd.port);
  const spec: HostSpec = { ...sshd.hostSpec, port: proxy.port, raw: `${sshd.user}@127.0.0.1:${proxy.port}` };
  const known = path.join(work, `known_hosts_${proxy.port}`);
  await writeFile(known, `${knownHostsName('127.0.0.1', proxy.port)} ${sshd.hostKeys.ed25519}\n`);
  const ssh: SshSettings = { knownHosts: known, identity: sshd.identity, connectTimeoutMs: 10_000, commandTimeoutMs };
  return { exec: await SshExecutor.connect(spec, ssh), proxy };
}

beforeAll(async () => {
  sshd = await startSshd();
  work = await tempDir('link-faults');
  big = path.join(work, 'big.bin');
  await writeFile(big, randomBytes(64 * 1024 * 1024));
  inst = await newInstance('faults');
  root = path.join(work, 'opt/shop');
  await deployTarball((await buildRebar3Shop(['v1'], { tarball: true })).tarball!, root);
  await startNode(root, 'shop', shopEnv(inst));
});

afterAll(async () => {
  if (root) await stopNode(root, 'shop', shopEnv(inst));
  await sshd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('uploads', () => {
  test('a link cut mid-upload fails the upload with LINK_LOST at once', async () => {
    const { exec, proxy } = await viaProxy(60_000);
    try {
      let cut = false;
      const started = Date.now();
      const err = await failure(exec.upload(big, path.join(work, 'up-cut.bin'), () => {
        if (!cut) {
          cut = true;
          proxy.dropAll();
        }
      }));
      expect(cut).toBe(true);
      expect(err.code).toBe('LINK_LOST');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await exec.close();
      await proxy.close();
    }
  });

  test('a link that stops carrying bytes fails the upload after command_timeout without progress', async () => {
    const { exec, proxy } = await viaProxy(2_000);
    try {
      let frozen = false;
      const started = Date.now();
      const err = await failure(exec.upload(big, path.join(work, 'up-frozen.bin'), () => {
        if (!frozen) {
          frozen = true;
          proxy.freeze();
        }
      }));
      expect(err.code).toBe('LINK_LOST');
      expect(err.message).toContain('made no progress');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      proxy.dropAll();
      await exec.close();
      await proxy.close();
    }
  });
});

describe('the session', () => {
  test('a dropped SSH link is LINK_LOST, not a dead node', async () => {
    const { exec, proxy } = await viaProxy(60_000);
    const link = new SessionLink(exec, root, 'shop', shopEnv(inst));
    try {
      expect(await link.up()).toBe(true);
      proxy.dropAll();
      const err = await failure(link.call({ op: 'which_releases' }, 10_000));
      expect(err.code).toBe('LINK_LOST');
      expect((await failure(link.up())).code).toBe('LINK_LOST');
    } finally {
      await link.close();
      await exec.close();
      await proxy.close();
    }
    // The helper saw its stdin close with the link and stopped.
    await expect.poll(() => sessionArgvs(root), { timeout: 10_000 }).toEqual([]);
  });

  test('a link that hangs under a call is LINK_LOST once the call times out, not CALL_FAILED or NODE_DOWN', async () => {
    const { exec, proxy } = await viaProxy(60_000);
    const link = new SessionLink(exec, root, 'shop', shopEnv(inst));
    try {
      expect(await link.up()).toBe(true);
      proxy.freeze();
      const err = await failure(link.call({ op: 'which_releases' }, 2_000));
      expect(err.code).toBe('LINK_LOST');
    } finally {
      proxy.dropAll();
      await link.close();
      await exec.close();
      await proxy.close();
    }
  });
});
