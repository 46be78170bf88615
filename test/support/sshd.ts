/**
 * A real OpenSSH server for tests: 127.0.0.1, a random port, its own host key,
 * client key, authorized_keys and known_hosts, all in a temp dir. The
 * system's sshd service is neither needed nor touched.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './shop-node.js';

const run = promisify(execFile);

export interface SshdHandle {
  port: number;
  user: string;
  /** Client private key accepted by this server. */
  identity: string;
  /** known_hosts with this server's host key under [127.0.0.1]:port. */
  knownHosts: string;
  /** The server's host public key line (type and base64). */
  hostKey: string;
  dir: string;
  stop(): Promise<void>;
}

async function keygen(file: string): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  return (await readFile(`${file}.pub`, 'utf8')).trim();
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
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

export async function startSshd(): Promise<SshdHandle> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-sshd-'));
  const port = await freePort();
  const user = os.userInfo().username;
  const hostPub = await keygen(path.join(dir, 'host_ed25519'));
  const clientPub = await keygen(path.join(dir, 'client_ed25519'));
  await writeFile(path.join(dir, 'authorized_keys'), `${clientPub}\n`, { mode: 0o600 });
  const [type, b64] = hostPub.split(/\s+/);
  const hostKey = `${type} ${b64}`;
  await writeFile(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  // Privilege separation needs this directory; a fresh machine's package does not create it until the service runs.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }).catch(() => undefined);
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host_ed25519')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    'MaxSessions 50',
    'MaxStartups 50',
    'Subsystem sftp internal-sftp',
    'LogLevel ERROR',
  ];
  const configFile = path.join(dir, 'sshd_config');
  await writeFile(configFile, `${config.join('\n')}\n`);
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  await waitForPort(port, child, () => stderr);
  return {
    port,
    user,
    identity: path.join(dir, 'client_ed25519'),
    knownHosts: path.join(dir, 'known_hosts'),
    hostKey,
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
