/** Runs on a remote host over one reused SSH connection (ssh2), host key checked against known_hosts. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { HotupError } from '../errors.js';
import type { HostSpec, SshSettings } from '../config/types.js';
import { DEFAULT_TIMEOUT_MS, type Executor, type RunOptions, type RunResult, type UploadProgress } from './executor.js';
import { blobType, checkHostKey, fingerprint, knownHostsName, type HostKeyVerdict } from './known-hosts.js';
import { shellQuote } from './quote.js';

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? os.homedir() + p.slice(1) : p;
}

/** Host key algorithms for the recorded key types first, as OpenSSH orders them. */
function preferredHostKeyAlgorithms(recorded: string[]): string[] | undefined {
  if (recorded.length === 0) return undefined;
  const forType = (t: string) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]);
  const all = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'];
  return [...new Set([...recorded.flatMap(forType), ...all.flatMap(forType)])];
}

/** The command line sent to the remote shell: argv quoted once, with cwd and env. */
export function remoteCommandLine(argv: readonly string[], options: RunOptions = {}): string {
  const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const cmd = shellQuote(env.length > 0 ? ['env', ...env, ...argv] : argv);
  return options.cwd ? `cd ${shellQuote([options.cwd])} && ${cmd}` : cmd;
}

export class SshExecutor implements Executor {
  readonly target: string;
  private sftpSession: Promise<SFTPWrapper> | undefined;

  private constructor(private readonly client: Client, spec: HostSpec) {
    this.target = spec.raw;
  }

  static async connect(spec: HostSpec, ssh: SshSettings): Promise<SshExecutor> {
    const where = `${spec.user}@${spec.host}:${spec.port}`;
    const knownHostsFile = expandHome(ssh.knownHosts);
    const knownHosts = await readFile(knownHostsFile, 'utf8').catch(() => '');
    const auth = await authConfig(ssh, spec.raw);
    const { recordedTypes } = checkHostKey(knownHosts, spec.host, spec.port, Buffer.alloc(0));
    let refusal: HotupError | undefined;
    const algorithms = preferredHostKeyAlgorithms(recordedTypes);
    const config: ConnectConfig = {
      host: spec.host,
      port: spec.port,
      username: spec.user,
      readyTimeout: ssh.connectTimeoutMs,
      keepaliveInterval: 15_000,
      ...auth,
      ...(algorithms ? { algorithms: { serverHostKey: algorithms as never } } : {}),
      hostVerifier: (key: Buffer) => {
        const verdict = checkHostKey(knownHosts, spec.host, spec.port, key);
        if (verdict.verdict === 'trusted') return true;
        refusal = hostKeyError(verdict, spec, key, knownHostsFile);
        return false;
      },
    };
    const client = new Client();
    let settled = false;
    await new Promise<void>((resolve, reject) => {
      const fail = (e: HotupError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        reject(e);
      };
      const timer = setTimeout(() => fail(connectError(spec, `no answer within ${ssh.connectTimeoutMs / 1000} s`)), ssh.connectTimeoutMs + 1_000);
      client.once('ready', () => {
        settled = true;
        clearTimeout(timer);
        resolve();
      });
      // Stays attached for the connection's life: a later drop must not crash the process;
      // commands in flight fail through their own channels.
      client.on('error', (e: Error & { level?: string }) => {
        if (refusal) fail(refusal);
        else if (e.level === 'client-authentication') {
          fail(new HotupError('SSH_AUTH', `${where} refused the login of ${spec.user}: ${e.message}`,
            ssh.identity ? `Check that the public key of ${ssh.identity} is in ~${spec.user}/.ssh/authorized_keys on the host.`
              : 'Load a key into the ssh agent (ssh-add) or set ssh.identity in hotup.yml.', { host: spec.raw }));
        } else fail(connectError(spec, e.message));
      });
      client.connect(config);
    });
    return new SshExecutor(client, spec);
  }

  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const line = remoteCommandLine(argv, options);
    return new Promise((resolve, reject) => {
      this.client.exec(line, (err, stream) => {
        if (err) {
          reject(new HotupError('COMMAND_FAILED', `could not start a command over SSH: ${err.message}`,
            'The connection may have dropped; run hotup again.', { host: this.target }));
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        const timer = setTimeout(() => {
          stream.signal('KILL');
          stream.close();
          reject(new HotupError('COMMAND_TIMEOUT', `\`${argv.join(' ')}\` did not finish within ${timeoutMs / 1000} s`,
            'Run the command by hand on the host to see why it hangs.', { host: this.target }));
        }, timeoutMs);
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => errOut.push(d));
        stream.on('close', (code: number | null) => {
          clearTimeout(timer);
          resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(errOut).toString() });
        });
        stream.end(options.stdin ?? '');
      });
    });
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise((resolve, reject) => {
      this.client.sftp((err, s) => (err ? reject(transferError(this.target, 'open SFTP', err)) : resolve(s)));
    });
    return this.sftpSession;
  }

  async upload(localPath: string, remotePath: string, onProgress?: (p: UploadProgress) => void): Promise<void> {
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) => {
      sftp.fastPut(localPath, remotePath, {
        step: (transferred: number, _chunk: number, total: number) => onProgress?.({ transferred, total }),
      }, (err) => (err ? reject(transferError(this.target, `upload to ${remotePath}`, err)) : resolve()));
    });
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) => {
      sftp.fastGet(remotePath, localPath, (err) => (err ? reject(transferError(this.target, `download of ${remotePath}`, err)) : resolve()));
    });
  }

  async close(): Promise<void> {
    this.client.end();
  }
}

async function authConfig(ssh: SshSettings, host: string): Promise<Pick<ConnectConfig, 'privateKey' | 'agent'>> {
  if (ssh.identity) {
    const file = expandHome(ssh.identity);
    try {
      return { privateKey: await readFile(file) };
    } catch (e) {
      throw new HotupError('SSH_AUTH', `cannot read the SSH key ${file}: ${(e as Error).message}`,
        'Point ssh.identity at a readable private key, or remove it to use the ssh agent.', { host });
    }
  }
  if (process.env.SSH_AUTH_SOCK) return { agent: process.env.SSH_AUTH_SOCK };
  throw new HotupError('SSH_AUTH', 'no SSH key: ssh.identity is not set and no ssh agent is running (SSH_AUTH_SOCK is empty)',
    'Set ssh.identity in hotup.yml, or start an agent and add your key (eval $(ssh-agent); ssh-add).', { host });
}

function connectError(spec: HostSpec, detail: string): HotupError {
  return new HotupError('SSH_CONNECT', `cannot connect to ${spec.host} port ${spec.port}: ${detail}`,
    'Check the host name and port in hotup.yml, that sshd runs there, and that no firewall is in the way (try `ssh -p PORT USER@HOST true`).',
    { host: spec.raw });
}

function transferError(host: string, what: string, err: Error): HotupError {
  return new HotupError('UPLOAD_FAILED', `${what} failed: ${err.message}`,
    'Check free disk space and permissions on the host, then run again.', { host });
}

function hostKeyError(v: HostKeyVerdict, spec: HostSpec, key: Buffer, file: string): HotupError {
  const fp = fingerprint(key);
  const type = blobType(key);
  const name = knownHostsName(spec.host, spec.port);
  if (v.verdict === 'unknown') {
    return new HotupError('SSH_HOST_KEY_UNKNOWN',
      `the host key of ${name} is not in ${file}; it offered ${type} ${fp}${v.recordedTypes.length ? ` (recorded types: ${v.recordedTypes.join(', ')})` : ''}`,
      `Verify ${fp} with the host's administrator, then add it: ssh-keyscan -p ${spec.port} ${spec.host} >> ${file}`,
      { host: spec.raw });
  }
  return new HotupError('SSH_HOST_KEY_CHANGED',
    `the host key of ${name} ${v.verdict === 'revoked' ? 'is revoked' : 'has CHANGED'}: it offered ${type} ${fp}, which ${file} does not record for it. This can be a man-in-the-middle attack`,
    `If the host was really re-installed, confirm the new key out of band, remove the old line (ssh-keygen -R '${name}' -f ${file}) and add the new one.`,
    { host: spec.raw });
}
