/**
 * A real OpenSSH server for tests: 127.0.0.1, a random port, its own host
 * keys, client key, authorized_keys and known_hosts, all in a temp dir. The
 * system's sshd service is neither needed nor touched.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { HostSpec } from '../../src/config/types.js';
import { knownHostsName } from '../../src/remote/known-hosts.js';
import { freePort } from './shop-node.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface SshdHandle {
  port: number;
  /** The user the tests run as, allowed to log in with `identity`. */
  user: string;
  /** Client private key accepted by this server. */
  identity: string;
  /** known_hosts with every host key of this server under [127.0.0.1]:port (its address and port). */
  knownHosts: string;
  /** The server's host public keys by type, as `type base64`. */
  hostKeys: Partial<Record<HostKeyType, string>>;
  /** Where to reach it: `user@127.0.0.1:port` (its address and port). */
  hostSpec: HostSpec;
  dir: string;
  /** What sshd has logged so far (errors only). */
  log(): string;
  stop(): Promise<void>;
}

/** Makes a passphrase-less key pair and returns the public key as `type base64`. */
export async function keygen(file: string, type: HostKeyType = 'ed25519'): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', '', '-f', file]);
  return (await readFile(`${file}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
}

function waitForPort(port: number, child: ChildProcess, stderr: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited with ${child.exitCode}: ${stderr()}`));
      const sock = net.connect({ host: '127.0.0.1', port });
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen on ${port}: ${stderr()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * OpenSSH 9.8+ penalises addresses whose connections fail (refused host keys, failed logins) by
 * refusing them for a while; tests fail connections on purpose, all from 127.0.0.1. Older
 * versions reject the option, so ask this sshd whether it knows it.
 */
async function penaltiesOption(configFile: string): Promise<string[]> {
  const known = await run(SSHD, ['-t', '-f', configFile, '-o', 'PerSourcePenalties=no']).then(() => true, () => false);
  return known ? ['PerSourcePenalties no'] : [];
}

function exited(child: ChildProcess): Promise<unknown> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
}

export interface SshdOptions {
  hostKeyTypes?: HostKeyType[];
  /** Run inside this network namespace, listening on its address and port, instead of on 127.0.0.1 and a free port. */
  netns?: { name: string; address: string; port: number };
}

export async function startSshd(options: SshdOptions = {}): Promise<SshdHandle> {
  const ns = options.netns;
  const address = ns?.address ?? '127.0.0.1';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-sshd-'));
  const user = os.userInfo().username;
  const hostKeys: Partial<Record<HostKeyType, string>> = {};
  for (const type of options.hostKeyTypes ?? ['ed25519']) hostKeys[type] = await keygen(path.join(dir, `host_${type}`), type);
  const clientPub = await keygen(path.join(dir, 'client_ed25519'));
  await writeFile(path.join(dir, 'authorized_keys'), `${clientPub}\n`, { mode: 0o600 });
  // Privilege separation needs this directory; a freshly installed package creates it only when the service starts.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const configFile = path.join(dir, 'sshd_config');
  const base = [
    `ListenAddress ${address}`,
    ...Object.keys(hostKeys).map((type) => `HostKey ${path.join(dir, `host_${type}`)}`),
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    'Subsystem sftp internal-sftp',
    'LogLevel ERROR',
  ];
  await writeFile(configFile, `${base.join('\n')}\n`);
  const config = [...base, ...(await penaltiesOption(configFile))];

  // The free port may be taken again before sshd binds it; then try another.
  for (let attempt = 1; ; attempt++) {
    const port = ns?.port ?? await freePort();
    await writeFile(configFile, `Port ${port}\n${config.join('\n')}\n`);
    const argv = [SSHD, '-D', '-e', '-f', configFile];
    // `ip netns exec` execs sshd itself, so the child is sshd.
    const child = ns ? spawn('ip', ['netns', 'exec', ns.name, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    try {
      // Inside a namespace it may not be reachable from here: sshd writes its pid file once it listens.
      if (ns) {
        await waitFor(`sshd in ${ns.name} to listen`, () => {
          if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${stderr}`);
          return existsSync(path.join(dir, 'sshd.pid'));
        }, { timeoutMs: 10_000, intervalMs: 50 });
      } else await waitForPort(port, child, () => stderr);
    } catch (e) {
      child.kill('SIGTERM');
      await exited(child);
      if (attempt < 3 && /Address already in use/.test(stderr)) continue;
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    const name = knownHostsName(address, port);
    const knownHosts = path.join(dir, 'known_hosts');
    await writeFile(knownHosts, Object.values(hostKeys).map((k) => `${name} ${k}\n`).join(''));
    return {
      port,
      user,
      identity: path.join(dir, 'client_ed25519'),
      knownHosts,
      hostKeys,
      hostSpec: { raw: `${user}@${address}:${port}`, user, host: address, port },
      dir,
      log: () => stderr,
      stop: async () => {
        child.kill('SIGTERM');
        await exited(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
