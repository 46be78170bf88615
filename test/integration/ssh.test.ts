/** The SSH executor against a real OpenSSH server on 127.0.0.1. */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SshExecutor } from '../../src/remote/ssh.js';
import { ExecutorPool } from '../../src/remote/connect.js';
import type { HostSpec, SshSettings } from '../../src/config/types.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { freePort } from '../support/shop-node.js';
import { tempDir } from '../support/shop-project.js';
import { hotup } from '../support/cli.js';
import { writeHotupConfig } from '../support/hotup-config.js';

let sshd: SshdHandle;
let spec: HostSpec;
let ssh: SshSettings;
let exec: SshExecutor;

beforeAll(async () => {
  sshd = await startSshd();
  spec = { raw: `${sshd.user}@127.0.0.1:${sshd.port}`, user: sshd.user, host: '127.0.0.1', port: sshd.port };
  ssh = { identity: sshd.identity, knownHosts: sshd.knownHosts, connectTimeoutMs: 5_000, commandTimeoutMs: 30_000 };
  exec = await SshExecutor.connect(spec, ssh);
});

afterAll(async () => {
  await exec?.close();
  await sshd?.stop();
});

describe('running commands', () => {
  test('hostile arguments arrive exactly', async () => {
    const args = ["it's", '$(touch /tmp/pwned)', '`id`', 'a b', '', 'line\nbreak', '*', '~', 'ünï'];
    const r = await exec.run(['printf', '%s\\0', ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(args);
  });

  test('stdin, cwd and env', async () => {
    expect((await exec.run(['cat'], { stdin: 'from stdin\n' })).stdout).toBe('from stdin\n');
    expect((await exec.run(['pwd'], { cwd: sshd.dir })).stdout.trim()).toBe(sshd.dir);
    expect((await exec.run(['sh', '-c', 'echo "$HOTUP_X"'], { env: { HOTUP_X: "a 'b' $c" } })).stdout).toBe("a 'b' $c\n");
  });

  test('a non-zero exit is a result, not an error', async () => {
    const r = await exec.run(['sh', '-c', 'echo oops >&2; exit 7']);
    expect(r).toEqual({ code: 7, stdout: '', stderr: 'oops\n' });
  });

  test('a command that hangs is stopped at its timeout', async () => {
    const started = Date.now();
    await expect(exec.run(['sleep', '30'], { timeoutMs: 1_000 })).rejects.toMatchObject({ code: 'COMMAND_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('many commands share one connection', async () => {
    const before = execFileSync('sh', ['-c', `ss -tn state established '( dport = :${sshd.port} )' | tail -n +2 | wc -l`]).toString().trim();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => exec.run(['echo', String(i)])));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    const after = execFileSync('sh', ['-c', `ss -tn state established '( dport = :${sshd.port} )' | tail -n +2 | wc -l`]).toString().trim();
    expect(after).toBe(before);
  });

  test('upload and download 5 MB with progress, byte for byte', async () => {
    const dir = await tempDir('sftp');
    const src = path.join(dir, 'src.bin');
    const data = randomBytes(5 * 1024 * 1024);
    await writeFile(src, data);
    const progress: number[] = [];
    await exec.upload(src, path.join(sshd.dir, 'up.bin'), (p) => progress.push(p.transferred));
    expect(progress.at(-1)).toBe(data.length);
    expect(progress.length).toBeGreaterThan(1);
    const remoteSum = (await exec.run(['sha256sum', path.join(sshd.dir, 'up.bin')])).stdout.split(' ')[0];
    expect(remoteSum).toBe(createHash('sha256').update(data).digest('hex'));
    await exec.download(path.join(sshd.dir, 'up.bin'), path.join(dir, 'back.bin'));
    expect((await readFile(path.join(dir, 'back.bin'))).equals(data)).toBe(true);
  });

  test('the pool reuses one executor per host', async () => {
    const pool = new ExecutorPool();
    const [a, b] = await Promise.all([pool.get(spec, ssh), pool.get(spec, ssh)]);
    expect(a).toBe(b);
    await pool.closeAll();
  });
});

describe('host keys and reachability', () => {
  test('an unknown host key is refused, with its fingerprint and how to add it', async () => {
    const empty = path.join(sshd.dir, 'empty_known_hosts');
    await writeFile(empty, '');
    const err = await SshExecutor.connect(spec, { ...ssh, knownHosts: empty }).catch((e) => e);
    expect(err.code).toBe('SSH_HOST_KEY_UNKNOWN');
    const fp = execFileSync('ssh-keygen', ['-l', '-f', `${path.join(sshd.dir, 'host_ed25519')}.pub`]).toString().split(' ')[1];
    expect(err.message).toContain(fp);
    expect(err.remedy).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1`);
  });

  test('a changed host key is refused as such', async () => {
    const other = path.join(sshd.dir, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherPub = (await readFile(`${other}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
    const changed = path.join(sshd.dir, 'changed_known_hosts');
    await writeFile(changed, `[127.0.0.1]:${sshd.port} ${otherPub}\n`);
    const err = await SshExecutor.connect(spec, { ...ssh, knownHosts: changed }).catch((e) => e);
    expect(err.code).toBe('SSH_HOST_KEY_CHANGED');
    expect(err.message).toMatch(/has CHANGED/);
  });

  test('a hashed known_hosts entry is honoured', async () => {
    const hashed = path.join(sshd.dir, 'hashed_known_hosts');
    await writeFile(hashed, await readFile(sshd.knownHosts));
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    expect(await readFile(hashed, 'utf8')).toMatch(/^\|1\|/);
    const e = await SshExecutor.connect(spec, { ...ssh, knownHosts: hashed });
    expect((await e.run(['true'])).code).toBe(0);
    await e.close();
  });

  test('a closed port fails fast with SSH_CONNECT', async () => {
    const port = await freePort();
    const err = await SshExecutor.connect({ ...spec, port, raw: `x@127.0.0.1:${port}` }, ssh).catch((e) => e);
    expect(err.code).toBe('SSH_CONNECT');
    expect(err.message).toContain(`port ${port}`);
  });

  test('a host that never answers fails within the connect timeout', async () => {
    // A listener that accepts TCP but never speaks SSH: the handshake cannot finish.
    const net = await import('node:net');
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const err = await SshExecutor.connect({ ...spec, port }, { ...ssh, connectTimeoutMs: 1_500 }).catch((e) => e);
    silent.close();
    expect(err.code).toBe('SSH_CONNECT');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  test('the CLI reports an unknown host key clearly and exits non-zero', async () => {
    const dir = await tempDir('cli-hostkey');
    const empty = path.join(dir, 'known_hosts');
    await writeFile(empty, '');
    await writeHotupConfig(dir, 'shop', [
      { name: 'prod', hosts: [spec.raw], deployTo: '/opt/shop', identity: sshd.identity, knownHosts: empty },
    ]);
    const r = await hotup(['status', 'prod'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error SSH_HOST_KEY_UNKNOWN on .*127\.0\.0\.1.*: the host key of \[127\.0\.0\.1\]:\d+ is not in/);
    expect(r.stderr).toMatch(/what to do: Verify SHA256:/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
