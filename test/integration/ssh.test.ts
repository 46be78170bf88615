/** The remote layer against a real OpenSSH server on 127.0.0.1. */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HostSpec, SshSettings } from '../../src/config/types.js';
import { connectExecutor, ExecutorPool } from '../../src/remote/connect.js';
import type { Executor } from '../../src/remote/executor.js';
import { knownHostsName } from '../../src/remote/known-hosts.js';
import { LocalExecutor } from '../../src/remote/local.js';
import { SshExecutor } from '../../src/remote/ssh.js';
import { hotup } from '../support/cli.js';
import { writeHotupConfig } from '../support/hotup-config.js';
import { freePort } from '../support/shop-node.js';
import { keygen, startSshd, type HostKeyType, type SshdHandle } from '../support/sshd.js';
import { failure } from '../support/failure.js';
import { tcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

let sshd: SshdHandle;
let ssh: SshSettings;
let exec: SshExecutor;
const local = new LocalExecutor();

beforeAll(async () => {
  sshd = await startSshd();
  ssh = { identity: sshd.identity, knownHosts: sshd.knownHosts, connectTimeoutMs: 5_000, commandTimeoutMs: 30_000 };
  exec = await SshExecutor.connect(sshd.hostSpec, ssh);
});

afterAll(async () => {
  await exec?.close();
  await sshd?.stop();
});

/** The HotupError a promise rejects with (fails the test if it resolves or throws something else). */
/** Whether a process still runs (a killed one may linger as a zombie until it is reaped). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A known_hosts file in the server's temp dir with exactly these lines. */
async function knownHostsWith(name: string, lines: string[]): Promise<string> {
  const file = path.join(sshd.dir, name);
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

/** Both executors keep the same contract; the local one is the reference for what "exactly" means. */
const executors: [string, () => Executor][] = [['over SSH', () => exec], ['on this machine', () => local]];

describe.each(executors)('running commands %s', (name, executor) => {
  test('hostile arguments arrive exactly', async () => {
    const args = ["it's", '$(touch /tmp/pwned)', '`id`', 'a b', '', 'line\nbreak', '*', '~', '-n', '\\', '"', 'ünï 😀', '; exit 3'];
    const r = await executor().run(['printf', '%s\\0', ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(args);
  });

  test('stdin is delivered and closed, as text or bytes', async () => {
    expect(await executor().run(['cat'], { stdin: 'from stdin\n' })).toEqual({ code: 0, stdout: 'from stdin\n', stderr: '' });
    const bytes = randomBytes(64 * 1024);
    const r = await executor().run(['sha256sum'], { stdin: bytes });
    expect(r.stdout.split(' ')[0]).toBe(createHash('sha256').update(bytes).digest('hex'));
    // No stdin given: the command sees end of file at once instead of waiting.
    expect((await executor().run(['cat'], { timeoutMs: 5_000 })).stdout).toBe('');
  });

  test('cwd and env, hostile values included', async () => {
    const dir = path.join(sshd.dir, `-it's a $(dir) ${name}`);
    await mkdir(dir);
    expect((await executor().run(['pwd'], { cwd: dir })).stdout).toBe(`${dir}\n`);
    const value = "a 'b' $c `d` \n e";
    const r = await executor().run(['sh', '-c', 'printf %s "$HOTUP_X"'], { env: { HOTUP_X: value }, cwd: dir });
    expect(r.stdout).toBe(value);
  });

  test('a non-zero exit is a result, not an error', async () => {
    expect(await executor().run(['sh', '-c', 'echo out; echo oops >&2; exit 7'])).toEqual({ code: 7, stdout: 'out\n', stderr: 'oops\n' });
  });

  test('a command killed by a signal reports 128 + the signal number', async () => {
    expect((await executor().run(['sh', '-c', 'kill -TERM $$'])).code).toBe(128 + 15);
  });

  test('a command that hangs is stopped at its timeout', async () => {
    const started = Date.now();
    const err = await failure(executor().run(['sleep', '5'], { timeoutMs: 1_000 }));
    expect(err.code).toBe('COMMAND_TIMEOUT');
    expect(err.host).toBe(executor().target);
    expect(err.message).toBe('`sleep 5` did not finish within 1 s and was stopped');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('running commands over SSH', () => {
  test('a missing cwd is a non-zero exit, not an exception', async () => {
    const r = await exec.run(['true'], { cwd: path.join(sshd.dir, 'nope') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nope/);
  });

  test('a command that times out is sent SIGKILL', async () => {
    const pidFile = path.join(sshd.dir, 'hang.pid');
    const logBefore = sshd.log().length;
    await failure(exec.run(['sh', '-c', 'echo $$ > "$1"; exec sleep 30', 'sh', pidFile], { timeoutMs: 1_000 }));
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    // OpenSSH 9.2 refuses to deliver signals into root sessions (no privilege separation after a root login):
    // then its log, from this command on, proves the request arrived and the command is still there. Any other
    // login gets the signal: the command is gone.
    const refusal = 'session signalling requires privilege separation';
    try {
      const outcome = await waitFor('the command to be killed or sshd to refuse the signal', () =>
        !running(pid) ? 'killed' : sshd.log().slice(logBefore).includes(refusal) && 'refused', { timeoutMs: 5_000, intervalMs: 50 });
      if (process.getuid?.() === 0 && outcome === 'refused') expect(running(pid)).toBe(true);
      else expect(outcome).toBe('killed');
    } finally {
      if (running(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  test('the connection settings give the default command timeout', async () => {
    const quick = await SshExecutor.connect(sshd.hostSpec, { ...ssh, commandTimeoutMs: 500 });
    try {
      expect((await failure(quick.run(['sleep', '5']))).code).toBe('COMMAND_TIMEOUT');
    } finally {
      await quick.close();
    }
  });

  test('upload and download 5 MB with progress, byte for byte', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const sha = createHash('sha256').update(data).digest('hex');
    const src = path.join(sshd.dir, 'src.bin');
    const remote = path.join(sshd.dir, 'uploaded.bin');
    const back = path.join(sshd.dir, 'downloaded.bin');
    await writeFile(src, data);
    const progress: { transferred: number; total: number }[] = [];
    await exec.upload(src, remote, (p) => progress.push(p));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.total === data.length)).toBe(true);
    expect(progress.map((p) => p.transferred)).toEqual([...progress.map((p) => p.transferred)].sort((a, b) => a - b));
    expect(progress.at(-1)?.transferred).toBe(data.length);
    expect((await exec.run(['sha256sum', remote])).stdout.split(' ')[0]).toBe(sha);
    await exec.download(remote, back);
    expect(createHash('sha256').update(await readFile(back)).digest('hex')).toBe(sha);
  });

  test('a failed upload says what and where', async () => {
    const src = path.join(sshd.dir, 'small.bin');
    await writeFile(src, 'x');
    const err = await failure(exec.upload(src, path.join(sshd.dir, 'no-such-dir', 'x')));
    expect(err.code).toBe('UPLOAD_FAILED');
    expect(err.message).toContain('no-such-dir');
  });
});

describe('running commands on this machine', () => {
  test('a timeout kills the whole process group, not just the command', async () => {
    const pidFile = path.join(sshd.dir, 'grandchild.pid');
    await failure(local.run(['sh', '-c', 'sleep 30 & echo $! > "$1"; wait', 'sh', pidFile], { timeoutMs: 500 }));
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    await expect.poll(() => running(pid), { timeout: 2_000 }).toBe(false);
  });

  test('a program that cannot be started is COMMAND_FAILED', async () => {
    const err = await failure(local.run(['hotup-no-such-program']));
    expect(err.code).toBe('COMMAND_FAILED');
    expect(err.remedy).toContain('PATH');
  });

  test('upload and download copy the file and report progress', async () => {
    const src = path.join(sshd.dir, 'local-src.bin');
    await writeFile(src, randomBytes(1000));
    const progress: { transferred: number; total: number }[] = [];
    await local.upload(src, path.join(sshd.dir, 'local-up.bin'), (p) => progress.push(p));
    expect(progress).toEqual([{ transferred: 1000, total: 1000 }]);
    await local.download(path.join(sshd.dir, 'local-up.bin'), path.join(sshd.dir, 'local-down.bin'));
    expect((await readFile(path.join(sshd.dir, 'local-down.bin'))).equals(await readFile(src))).toBe(true);
    expect((await failure(local.upload(src, path.join(sshd.dir, 'no-such-dir', 'x')))).code).toBe('UPLOAD_FAILED');
  });
});

describe('one connection per host', () => {
  test('many parallel commands and transfers share one TCP connection', async () => {
    const proxy = await tcpProxy(sshd.port);
    const spec: HostSpec = { ...sshd.hostSpec, port: proxy.port, raw: `${sshd.user}@127.0.0.1:${proxy.port}` };
    const known = await knownHostsWith('proxy_known_hosts', [`${knownHostsName('127.0.0.1', proxy.port)} ${sshd.hostKeys.ed25519}`]);
    const viaProxy = await SshExecutor.connect(spec, { ...ssh, knownHosts: known });
    try {
      // More long-running commands than OpenSSH's default of 10 sessions per connection: the executor queues the rest.
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => viaProxy.run(['sh', '-c', `sleep 2; echo ${i}`])));
      expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 12 }, (_, i) => `${i}\n`));
      await viaProxy.upload(sshd.identity, path.join(sshd.dir, 'copied_key'));
      expect(proxy.connections()).toBe(1);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  test('a dropped connection fails the running command and later ones with LINK_LOST', async () => {
    const proxy = await tcpProxy(sshd.port);
    const spec: HostSpec = { ...sshd.hostSpec, port: proxy.port, raw: `${sshd.user}@127.0.0.1:${proxy.port}` };
    const known = await knownHostsWith('proxy_known_hosts', [`${knownHostsName('127.0.0.1', proxy.port)} ${sshd.hostKeys.ed25519}`]);
    const viaProxy = await SshExecutor.connect(spec, { ...ssh, knownHosts: known });
    try {
      const started = path.join(sshd.dir, 'dropped.started');
      const running = failure(viaProxy.run(['sh', '-c', 'touch "$1"; exec sleep 10', 'sh', started]));
      await waitFor('the command to run on the host', () => existsSync(started));
      proxy.dropAll();
      const err = await running;
      expect(err.code).toBe('LINK_LOST');
      expect(err.message).toMatch(/connection .* was lost/);
      expect((await failure(viaProxy.run(['true']))).code).toBe('LINK_LOST');
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  test('the pool hands out one executor per host and closes them all', async () => {
    const pool = new ExecutorPool();
    const [a, b] = await Promise.all([pool.get(sshd.hostSpec, ssh), pool.get(sshd.hostSpec, ssh)]);
    expect(a).toBe(b);
    expect(await pool.get('local', ssh)).not.toBe(a);
    await pool.closeAll();
    await expect(a.run(['true'])).rejects.toThrow(/closed/);
    const again = await pool.get(sshd.hostSpec, ssh);
    expect(again).not.toBe(a);
    expect((await again.run(['true'])).code).toBe(0);
    await pool.closeAll();
  });

  test('a failed connection is not kept in the pool', async () => {
    const pool = new ExecutorPool();
    const empty = await knownHostsWith('pool_empty_known_hosts', []);
    await failure(pool.get(sshd.hostSpec, { ...ssh, knownHosts: empty }));
    await writeFile(empty, await readFile(sshd.knownHosts));
    expect((await (await pool.get(sshd.hostSpec, { ...ssh, knownHosts: empty })).run(['true'])).code).toBe(0);
    await pool.closeAll();
  });

  test('connectExecutor opens an SSH executor for a host and a local one for `local`', async () => {
    const remote = await connectExecutor(sshd.hostSpec, ssh);
    const local = await connectExecutor('local', ssh);
    expect(remote.target).toBe(sshd.hostSpec.raw);
    expect(local.target).toBe('local');
    expect((await local.run(['printf', '%s', "it's"])).stdout).toBe("it's");
    await remote.close();
    await local.close();
  });
});

describe('login', () => {
  test('~ in the key and known_hosts paths means the home directory', async () => {
    const home = process.env.HOME;
    process.env.HOME = sshd.dir;
    try {
      const e = await SshExecutor.connect(sshd.hostSpec, { ...ssh, identity: '~/client_ed25519', knownHosts: '~/known_hosts' });
      await e.close();
    } finally {
      process.env.HOME = home;
    }
  });

  test('without ssh.identity the ssh agent is used', async () => {
    const sock = path.join(sshd.dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      await expect.poll(() => existsSync(sock), { timeout: 5_000 }).toBe(true);
      execFileSync('ssh-add', ['-q', sshd.identity], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      process.env.SSH_AUTH_SOCK = sock;
      const e = await SshExecutor.connect(sshd.hostSpec, { ...ssh, identity: undefined });
      expect((await e.run(['true'])).code).toBe(0);
      await e.close();
      delete process.env.SSH_AUTH_SOCK;
      const none = await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, identity: undefined }));
      expect(none.code).toBe('SSH_AUTH');
      expect(none.remedy).toContain('ssh-add');
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      agent.kill('SIGTERM');
    }
  });

  test('a key the host does not accept is SSH_AUTH', async () => {
    const stranger = path.join(sshd.dir, 'stranger_ed25519');
    await keygen(stranger);
    const err = await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, identity: stranger }));
    expect(err.code).toBe('SSH_AUTH');
    expect(err.message).toContain(stranger);
    expect(err.remedy).toContain('authorized_keys');
    expect(err.host).toBe(sshd.hostSpec.raw);
  });

  test('a missing or passphrase-protected key is SSH_AUTH before connecting', async () => {
    expect((await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, identity: path.join(sshd.dir, 'nope') }))).code).toBe('SSH_AUTH');
    const locked = path.join(sshd.dir, 'locked_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', locked]);
    const err = await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, identity: locked }));
    expect(err.code).toBe('SSH_AUTH');
    expect(err.remedy).toContain(`ssh-add ${locked}`);
  });
});

describe('the ssh config and default keys', () => {
  /** Runs BODY with HOME and SSH_AUTH_SOCK set so (undefined: unset), then puts them back. */
  async function withEnv<T>(vars: { HOME?: string; SSH_AUTH_SOCK?: string }, body: () => Promise<T>): Promise<T> {
    const saved = { HOME: process.env.HOME, SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK };
    const set = (k: 'HOME' | 'SSH_AUTH_SOCK', v: string | undefined) => (v === undefined ? delete process.env[k] : (process.env[k] = v));
    set('HOME', vars.HOME ?? saved.HOME);
    set('SSH_AUTH_SOCK', vars.SSH_AUTH_SOCK);
    try {
      return await body();
    } finally {
      set('HOME', saved.HOME);
      set('SSH_AUTH_SOCK', saved.SSH_AUTH_SOCK);
    }
  }
  const alias = (name: string): HostSpec => ({ raw: name, user: 'nobody', host: name, port: 22, defaulted: { user: true, port: true } });
  async function configFile(name: string, lines: string[]): Promise<string> {
    const file = path.join(sshd.dir, name);
    await writeFile(file, `${lines.join('\n')}\n`);
    return file;
  }
  const aliasLines = (name: string, more: string[] = []) =>
    [`Host ${name}`, '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  User ${sshd.user}`, ...more.map((l) => `  ${l}`)];

  test('without ssh.identity, ~/.ssh/id_ed25519 is used; a protected one without an agent is SSH_AUTH saying to ssh-add it', async () => {
    const home = path.join(sshd.dir, 'home-default-key');
    await mkdir(path.join(home, '.ssh'), { recursive: true });
    const key = path.join(home, '.ssh/id_ed25519');
    await copyFile(sshd.identity, key);
    await withEnv({ HOME: home }, async () => {
      const e = await SshExecutor.connect(sshd.hostSpec, { ...ssh, identity: undefined });
      expect((await e.run(['true'])).code).toBe(0);
      await e.close();
      execFileSync('rm', ['-f', key, `${key}.pub`]);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', key]);
      const err = await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, identity: undefined }));
      expect(err.code).toBe('SSH_AUTH');
      expect(err.message).toContain(`the SSH key ${key} is protected by a passphrase and no ssh agent is running`);
      expect(err.remedy).toContain(`ssh-add ${key}`);
    });
  });

  test('an alias: HostName, Port, User, IdentityFile and UserKnownHostsFile from the config; hotup.yml settings win', async () => {
    const cfg = await configFile('alias_config', aliasLines('box', [`IdentityFile ${sshd.identity}`, `UserKnownHostsFile ${sshd.knownHosts}`]));
    const e = await SshExecutor.connect(alias('box'), { config: cfg, commandTimeoutMs: 30_000 });
    expect((await e.run(['sh', '-c', 'echo "$SSH_CONNECTION"'])).stdout.trim().split(' ').slice(2)).toEqual(['127.0.0.1', String(sshd.port)]);
    await e.close();
    // known_hosts named in hotup.yml is the one read, whatever the config says.
    const empty = await knownHostsWith('alias_empty_known_hosts', []);
    expect((await failure(SshExecutor.connect(alias('box'), { config: cfg, knownHosts: empty, commandTimeoutMs: 30_000 }))).code).toBe('SSH_HOST_KEY_UNKNOWN');
    // And a :port written in the host wins over Port.
    const closed = await freePort();
    const err = await failure(SshExecutor.connect({ ...alias('box'), port: closed, defaulted: { user: true } }, { config: cfg, commandTimeoutMs: 30_000 }));
    expect(err.message).toContain(`box (127.0.0.1 port ${closed}): connection refused`);
  });

  test('StrictHostKeyChecking accept-new records a first key and still refuses a changed one; without it a new key is refused', async () => {
    const file = path.join(sshd.dir, 'accept_new_known_hosts');
    const cfg = await configFile('accept_new_config', aliasLines('fresh', [`IdentityFile ${sshd.identity}`, `UserKnownHostsFile ${file}`, 'StrictHostKeyChecking accept-new']));
    const e = await SshExecutor.connect(alias('fresh'), { config: cfg, commandTimeoutMs: 30_000 });
    await e.close();
    expect(await readFile(file, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}\n`);
    await (await SshExecutor.connect(alias('fresh'), { config: cfg, commandTimeoutMs: 30_000 })).close();
    await writeFile(file, `[127.0.0.1]:${sshd.port} ${await keygen(path.join(sshd.dir, 'accept_new_other'))}\n`);
    expect((await failure(SshExecutor.connect(alias('fresh'), { config: cfg, commandTimeoutMs: 30_000 }))).code).toBe('SSH_HOST_KEY_CHANGED');
    const strict = await configFile('strict_config', aliasLines('fresh', [`IdentityFile ${sshd.identity}`, `UserKnownHostsFile ${file}.none`]));
    expect((await failure(SshExecutor.connect(alias('fresh'), { config: strict, commandTimeoutMs: 30_000 }))).code).toBe('SSH_HOST_KEY_UNKNOWN');
    expect(existsSync(`${file}.none`)).toBe(false);
  });

  test('IdentitiesOnly offers only the agent keys of the identity files', async () => {
    const sock = path.join(sshd.dir, 'only-agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      await expect.poll(() => existsSync(sock), { timeout: 5_000 }).toBe(true);
      execFileSync('ssh-add', ['-q', sshd.identity], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const stranger = path.join(sshd.dir, 'only_stranger');
      await keygen(stranger);
      const lines = (only: string) => aliasLines('agented', [`IdentityFile ${stranger}`, `UserKnownHostsFile ${sshd.knownHosts}`, `IdentitiesOnly ${only}`]);
      await withEnv({ SSH_AUTH_SOCK: sock }, async () => {
        const open = await configFile('only_no_config', lines('no'));
        await (await SshExecutor.connect(alias('agented'), { config: open, commandTimeoutMs: 30_000 })).close();
        const only = await configFile('only_yes_config', lines('yes'));
        const err = await failure(SshExecutor.connect(alias('agented'), { config: only, commandTimeoutMs: 30_000 }));
        expect(err.code).toBe('SSH_AUTH');
        expect(err.message).toContain(`the ssh agent's keys of the identity files and the key ${stranger}`);
      });
    } finally {
      agent.kill('SIGTERM');
    }
  });
});

describe('host keys', () => {
  const hostFingerprint = (type: HostKeyType, dir = sshd.dir) =>
    execFileSync('ssh-keygen', ['-l', '-f', path.join(dir, `host_${type}.pub`)]).toString().split(' ')[1]!;

  test('an unknown host key is refused with its fingerprint, and the remedy works', async () => {
    const empty = await knownHostsWith('empty_known_hosts', []);
    const err = await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, knownHosts: empty }));
    expect(err.code).toBe('SSH_HOST_KEY_UNKNOWN');
    expect(err.host).toBe(sshd.hostSpec.raw);
    expect(err.message).toContain(hostFingerprint('ed25519'));
    const add = /ssh-keyscan .* >> \S+/.exec(err.remedy)?.[0];
    expect(add).toBe(`ssh-keyscan -t ed25519 -p ${sshd.port} 127.0.0.1 >> ${empty}`);
    await appendFile(empty, execFileSync('ssh-keyscan', ['-t', 'ed25519', '-p', String(sshd.port), '127.0.0.1'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    await (await SshExecutor.connect(sshd.hostSpec, { ...ssh, knownHosts: empty })).close();
  });

  test('a missing known_hosts file refuses the host the same way', async () => {
    const err = await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, knownHosts: path.join(sshd.dir, 'absent') }));
    expect(err.code).toBe('SSH_HOST_KEY_UNKNOWN');
  });

  test('a changed host key is refused as such', async () => {
    const other = await keygen(path.join(sshd.dir, 'other_host_ed25519'));
    const changed = await knownHostsWith('changed_known_hosts', [`[127.0.0.1]:${sshd.port} ${other}`]);
    const err = await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, knownHosts: changed }));
    expect(err.code).toBe('SSH_HOST_KEY_CHANGED');
    expect(err.message).toContain('has CHANGED');
    expect(err.message).toContain(hostFingerprint('ed25519'));
    expect(err.remedy).toContain(`ssh-keygen -R '[127.0.0.1]:${sshd.port}' -f ${changed}`);
  });

  test('a revoked host key is refused', async () => {
    const revoked = await knownHostsWith('revoked_known_hosts', [
      `[127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}`,
      `@revoked [127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}`,
    ]);
    expect((await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, knownHosts: revoked }))).code).toBe('SSH_HOST_KEY_CHANGED');
  });

  test('a key recorded for the default port or another port does not count', async () => {
    const wrongPort = await knownHostsWith('wrong_port_known_hosts', [`127.0.0.1 ${sshd.hostKeys.ed25519}`, `[127.0.0.1]:1 ${sshd.hostKeys.ed25519}`]);
    expect((await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, knownHosts: wrongPort }))).code).toBe('SSH_HOST_KEY_UNKNOWN');
    expect(knownHostsName('Example.COM', 22)).toBe('example.com');
  });

  test('hashed entries, patterns and negations match as in OpenSSH', async () => {
    const hashed = await knownHostsWith('hashed_known_hosts', [`[127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}`]);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    expect(await readFile(hashed, 'utf8')).toMatch(/^\|1\|/);
    await (await SshExecutor.connect(sshd.hostSpec, { ...ssh, knownHosts: hashed })).close();

    const pattern = await knownHostsWith('pattern_known_hosts', [`# comment`, `[127.0.0.?]:${sshd.port},other ${sshd.hostKeys.ed25519}`]);
    await (await SshExecutor.connect(sshd.hostSpec, { ...ssh, knownHosts: pattern })).close();

    const negated = await knownHostsWith('negated_known_hosts', [`[127.0.0.*]:${sshd.port},![127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}`]);
    expect((await failure(SshExecutor.connect(sshd.hostSpec, { ...ssh, knownHosts: negated }))).code).toBe('SSH_HOST_KEY_UNKNOWN');
  });

  describe('a host with ed25519, ecdsa and rsa keys', () => {
    const types: HostKeyType[] = ['ed25519', 'ecdsa', 'rsa'];
    let multi: SshdHandle;
    beforeAll(async () => {
      multi = await startSshd({ hostKeyTypes: types });
    });
    afterAll(async () => {
      await multi?.stop();
    });

    test.each(types)('is trusted when known_hosts records only its %s key', async (type) => {
      const file = path.join(multi.dir, `only_${type}`);
      await writeFile(file, `[127.0.0.1]:${multi.port} ${multi.hostKeys[type]}\n`);
      const e = await SshExecutor.connect(multi.hostSpec, { ...ssh, identity: multi.identity, knownHosts: file });
      expect((await e.run(['true'])).code).toBe(0);
      await e.close();
    });

    test.each(types)('is refused as changed when another %s key is recorded', async (type) => {
      const other = await keygen(path.join(multi.dir, `other_${type}`), type);
      const file = path.join(multi.dir, `changed_${type}`);
      await writeFile(file, `[127.0.0.1]:${multi.port} ${other}\n`);
      const err = await failure(SshExecutor.connect(multi.hostSpec, { ...ssh, identity: multi.identity, knownHosts: file }));
      expect(err.code).toBe('SSH_HOST_KEY_CHANGED');
      expect(err.message).toContain(hostFingerprint(type, multi.dir));
    });
  });
});

describe('reachability', () => {
  test('a closed port on 127.0.0.1 fails at once with SSH_CONNECT', async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await failure(SshExecutor.connect({ ...sshd.hostSpec, port, raw: `x@127.0.0.1:${port}` }, ssh));
    expect(err.code).toBe('SSH_CONNECT');
    expect(err.message).toBe(`cannot connect to 127.0.0.1 port ${port}: connection refused (nothing listens on that port)`);
    expect(err.host).toBe(`x@127.0.0.1:${port}`);
    expect(err.remedy).toContain(`ssh -p ${port}`);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  test('a closed port on another loopback address fails with SSH_CONNECT', async () => {
    const port = await freePort();
    const err = await failure(SshExecutor.connect({ ...sshd.hostSpec, host: '127.0.0.2', port, raw: `x@127.0.0.2:${port}` }, ssh));
    expect(err.code).toBe('SSH_CONNECT');
    expect(err.message).toContain('127.0.0.2');
  });

  test('a host that accepts TCP but never answers fails within the connect timeout', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.2', r));
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    try {
      const err = await failure(SshExecutor.connect({ ...sshd.hostSpec, host: '127.0.0.2', port }, { ...ssh, connectTimeoutMs: 1_500 }));
      expect(err.code).toBe('SSH_CONNECT');
      expect(err.message).toContain('no SSH answer within 1.5 s');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      silent.close();
    }
  });
});

describe('through the CLI', () => {
  test('an unknown host key is reported with its code, host and remedy, and no stack', async () => {
    const dir = path.join(sshd.dir, 'cli');
    await mkdir(dir);
    const empty = await knownHostsWith('cli_known_hosts', []);
    await writeHotupConfig(dir, 'shop', [
      { name: 'prod', hosts: [sshd.hostSpec.raw], deployTo: '/opt/shop', identity: sshd.identity, knownHosts: empty },
    ]);
    const r = await hotup(['status', 'prod'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SSH_HOST_KEY_UNKNOWN on .*127\.0\.0\.1.*: the host key of \[127\.0\.0\.1\]:\d+ is not in/);
    expect(r.stderr).toMatch(/what to do: Confirm SHA256:/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
