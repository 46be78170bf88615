/** Runs on a remote host over one reused SSH connection (ssh2), its host key checked against known_hosts. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
// ssh2 is CommonJS: Node's ESM loader sees `Client` as a named export but not `utils`, which is reached through the default export.
import ssh2, { Client, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm, type SFTPWrapper } from 'ssh2';
import { HotupError } from '../errors.js';
import type { HostSpec, SshSettings } from '../config/types.js';
import type { Executor, Process, RunOptions, RunResult, UploadProgress } from './executor.js';
import { LineSplitter, StderrTail } from './lines.js';
import { fingerprint, hostKeysFor, keyType, knownHostsName, recordedTypes, verifyHostKey, type HostKeyVerdict } from './known-hosts.js';
import { commandTimedOut, exitCode, Output, transferFailed } from './outcome.js';
import { commandLine } from './quote.js';
import { Slots } from './slots.js';

/**
 * Exec channels open at once on one connection. OpenSSH allows 10 sessions per
 * connection by default (MaxSessions); this leaves room for the SFTP session.
 */
const MAX_CHANNELS = 8;

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? os.homedir() + p.slice(1) : p;
}

/** Host key algorithms for the recorded key types first, as OpenSSH orders them, so a host with several keys offers the one we know. */
function hostKeyAlgorithms(recorded: string[]): ServerHostKeyAlgorithm[] | undefined {
  const all: ServerHostKeyAlgorithm[] = [
    'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
  ];
  // An RSA key (type ssh-rsa) is used with any of the three RSA signature algorithms.
  const first = all.filter((a) => recorded.includes(a.startsWith('rsa-') ? 'ssh-rsa' : a));
  return first.length === 0 ? undefined : [...new Set([...first, ...all])];
}

export class SshExecutor implements Executor {
  readonly target: string;
  private readonly channels = new Slots(MAX_CHANNELS);
  private readonly commandTimeoutMs: number;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  /** Why no more commands can run: the connection dropped, or close() was called. */
  private gone: Error | undefined;
  private lastError: Error | undefined;
  private readonly closed: Promise<void>;

  private constructor(private readonly client: Client, spec: HostSpec, ssh: SshSettings) {
    this.target = spec.raw;
    this.commandTimeoutMs = ssh.commandTimeoutMs;
    // Stays attached for the connection's life: a later failure must not crash the process.
    client.on('error', (e) => (this.lastError = e));
    this.closed = new Promise((resolve) => {
      client.once('close', () => {
        this.gone ??= new HotupError('LINK_LOST',
          `the connection to ${spec.host} port ${spec.port} was lost${this.lastError ? `: ${this.lastError.message}` : ''}`,
          'Check the network and the host, then run hotup again; the step that was running may need to be checked by hand.',
          { host: spec.raw });
        resolve();
      });
    });
  }

  static async connect(spec: HostSpec, ssh: SshSettings): Promise<SshExecutor> {
    const knownHostsFile = expandHome(ssh.knownHosts);
    const hostKeys = hostKeysFor(await readKnownHosts(knownHostsFile, spec), spec.host, spec.port);
    const algorithms = hostKeyAlgorithms(recordedTypes(hostKeys));
    const auth = await authConfig(ssh, spec);
    let refusal: HotupError | undefined;
    const config: ConnectConfig = {
      host: spec.host,
      port: spec.port,
      username: spec.user,
      // Covers DNS, TCP, handshake and login: ssh2 starts it before connecting and clears it when ready.
      readyTimeout: ssh.connectTimeoutMs,
      // A silently dead connection is noticed after three unanswered keepalives instead of never.
      keepaliveInterval: 15_000,
      ...auth,
      ...(algorithms ? { algorithms: { serverHostKey: algorithms } } : {}),
      hostVerifier: (key: Buffer) => {
        const verdict = verifyHostKey(hostKeys, key);
        if (verdict === 'trusted') return true;
        refusal = hostKeyError(verdict, spec, key, knownHostsFile);
        return false;
      },
    };
    const client = new Client();
    return new Promise((resolve, reject) => {
      let settled = false;
      const onError = (e: Error & { level?: string; code?: string }) => {
        if (settled) return;
        settled = true;
        client.end();
        if (refusal) reject(refusal);
        else if (e.level === 'client-authentication') reject(authError(spec, ssh, e.message));
        else reject(connectError(spec, describeConnectFailure(e, ssh.connectTimeoutMs)));
      };
      client.on('error', onError);
      client.once('ready', () => {
        settled = true;
        client.off('error', onError);
        resolve(new SshExecutor(client, spec, ssh));
      });
      try {
        client.connect(config);
      } catch (e) {
        onError(e as Error);
      }
    });
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const line = commandLine(argv, options);
    const timeoutMs = options.timeoutMs ?? this.commandTimeoutMs;
    return this.channels.use(() => this.exec(argv, line, options.stdin, timeoutMs, options.onLine));
  }

  private exec(argv: readonly string[], line: string, stdin: string | Buffer | undefined, timeoutMs: number, onLine?: (line: string) => void): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const cannotStart = (detail: string) => reject(this.startFailed(detail));
      if (this.gone) return reject(this.gone);
      // A link that hangs never opens the channel: the time limit starts before the request.
      let late = false;
      const opening = setTimeout(() => {
        late = true;
        reject(commandTimedOut(argv, timeoutMs, this.target));
      }, timeoutMs);
      try {
        this.client.exec(line, (err, stream) => {
          clearTimeout(opening);
          if (late) return void stream?.close();
          if (err) return cannotStart(err.message);
          this.collect(stream, argv, stdin, timeoutMs, resolve, reject, onLine);
        });
      } catch (e) {
        clearTimeout(opening);
        // ssh2 throws at once when the socket is already gone.
        cannotStart((e as Error).message);
      }
    });
  }

  /** Why a command could not start: the lost connection, or the host refusing a session. */
  private startFailed(detail: string): Error {
    return this.gone ?? new HotupError('COMMAND_FAILED', `could not start a command over SSH: ${detail}`,
      'The host refused a new session (see MaxSessions in its sshd_config) or the connection is failing; run hotup again.', { host: this.target });
  }

  private collect(
    stream: ClientChannel,
    argv: readonly string[],
    stdin: string | Buffer | undefined,
    timeoutMs: number,
    resolve: (r: RunResult) => void,
    reject: (e: Error) => void,
    onLine?: (line: string) => void,
  ): void {
    const output = new Output(onLine);
    let exit: { code: number | null; signal: string | null } | undefined;
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      killRemote(stream);
      stream.close();
      reject(commandTimedOut(argv, timeoutMs, this.target));
    }, timeoutMs);
    stream.on('exit', (code: number | null, signal?: string) => (exit = { code, signal: signal ?? null }));
    stream.on('data', output.stdout);
    stream.stderr.on('data', output.stderr);
    stream.on('close', () => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      // No exit status means the session ended under the command: the connection dropped.
      if (exit) resolve(output.result(exit.code, exit.signal));
      else reject(this.gone ?? new HotupError('LINK_LOST', `the session of \`${argv[0]}\` ended without an exit status`,
        'The connection or the host\'s sshd failed; run hotup again.', { host: this.target }));
    });
    stream.end(stdin ?? '');
  }

  /** Holds one of the connection's channels until the command ends. */
  spawn(argv: readonly string[], options: Pick<RunOptions, 'cwd' | 'env'> = {}): Promise<Process> {
    const line = commandLine(argv, options);
    return new Promise((resolve, reject) => {
      if (this.gone) return reject(this.gone);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      void this.channels.use(() => new Promise<void>((started) => {
        const fail = (detail: string) => {
          release();
          reject(this.startFailed(detail));
        };
        try {
          this.client.exec(line, (err, stream) => {
            if (err) return fail(err.message);
            resolve(this.process(stream, release));
          });
        } catch (e) {
          fail((e as Error).message);
        }
        void held.then(started);
      }));
    });
  }

  private process(stream: ClientChannel, release: () => void): Process {
    const lines = new LineSplitter();
    const stderr = new StderrTail();
    let exit: number | undefined;
    stream.on('data', lines.push);
    stream.stderr.on('data', stderr.push);
    stream.on('exit', (code: number | null, signal?: string) => (exit = exitCode(code, signal ?? null)));
    const ended = new Promise<{ code: number; stderr: string; lost?: Error }>((resolve) => {
      stream.on('close', () => {
        release();
        // No exit status: the session ended under the command, so the link dropped.
        resolve(exit === undefined
          ? { code: -1, stderr: stderr.value, lost: this.gone ?? new HotupError('LINK_LOST', `the SSH session to ${this.target} ended under a running command`, 'Check the network and the host, then run hotup again.', { host: this.target }) }
          : { code: exit, stderr: stderr.value });
      });
    });
    return {
      write: (text) => void stream.write(text),
      onLine: (l) => lines.listen(l),
      ended,
      close: () => {
        stream.end();
        killRemote(stream);
        stream.close();
      },
    };
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((err, s) => (err ? reject(err) : resolve(s)));
    }).catch((err: Error) => {
      // Not kept: a later transfer asks again.
      this.sftpSession = undefined;
      throw this.gone ?? new HotupError('UPLOAD_FAILED', `the host offers no SFTP session: ${err.message}`,
        'Enable the sftp subsystem in the host\'s sshd_config (Subsystem sftp internal-sftp).', { host: this.target });
    });
    return this.sftpSession;
  }

  async upload(localPath: string, remotePath: string, onProgress?: (p: UploadProgress) => void): Promise<void> {
    const sftp = await this.sftp();
    await this.transfer('upload', localPath, remotePath, (step, done) =>
      sftp.fastPut(localPath, remotePath, { step: (transferred, _chunk, total) => { step(); onProgress?.({ transferred, total }); } }, done));
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    const sftp = await this.sftp();
    await this.transfer('download', remotePath, localPath, (step, done) => sftp.fastGet(remotePath, localPath, { step: () => step() }, done));
  }

  /**
   * An SFTP transfer that always settles: when the connection drops, ssh2
   * never calls back (and with nothing else pending the process would just
   * exit), and a link that stops carrying data without dropping would hang.
   * So it fails with the lost connection, or after command_timeout without
   * progress.
   */
  private transfer(kind: 'upload' | 'download', from: string, to: string,
    start: (step: () => void, done: (err: Error | null | undefined) => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(stall);
        if (err) reject(err);
        else resolve();
      };
      let stall = setTimeout(stalled, this.commandTimeoutMs);
      function stalled(this: void) {
        finish(new HotupError('LINK_LOST', `the ${kind} of ${from} made no progress for ${timeoutSeconds} s: the link to the host stopped carrying data`,
          'Check the network to the host, then run hotup again; the partial file is removed or replaced on the next try.', { host: target }));
      }
      const target = this.target;
      const timeoutSeconds = Math.round(this.commandTimeoutMs / 1000);
      void this.closed.then(() => finish(this.gone));
      start(() => {
        clearTimeout(stall);
        stall = setTimeout(stalled, this.commandTimeoutMs);
      }, (err) => finish(err ? this.gone ?? transferFailed(kind, from, to, this.target, err) : undefined));
    });
  }

  async close(): Promise<void> {
    this.gone ??= new Error(`the SSH connection to ${this.target} was closed by hotup and used afterwards`);
    this.client.end();
    await this.closed;
  }
}

/**
 * Sends SIGKILL to a command whose stdin is already closed. SSH allows that (RFC 4254 6.9) and
 * OpenSSH then kills the command's whole process group, but ssh2's `signal()` silently does
 * nothing once the channel's write side has ended, so the request goes out through the
 * connection's protocol object. Closing the channel alone would leave the command running.
 */
function killRemote(stream: ClientChannel): void {
  const channel = stream as unknown as {
    outgoing: { id: number; state: string };
    _client: { _protocol: { signal(channelId: number, signal: string): void } };
  };
  if (channel.outgoing.state !== 'open' && channel.outgoing.state !== 'eof') return;
  channel._client._protocol.signal(channel.outgoing.id, 'KILL');
}

async function readKnownHosts(file: string, spec: HostSpec): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    // A missing file only means no host is known yet; the refusal then says how to add one.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new HotupError('SSH_HOST_KEY_UNKNOWN', `cannot read the known_hosts file ${file}: ${(e as Error).message}`,
      'Make the file readable, or point ssh.known_hosts in hotup.yml at another one.', { host: spec.raw });
  }
}

async function authConfig(ssh: SshSettings, spec: HostSpec): Promise<Pick<ConnectConfig, 'privateKey' | 'agent'>> {
  if (ssh.identity) {
    const file = expandHome(ssh.identity);
    let key: Buffer;
    try {
      key = await readFile(file);
    } catch (e) {
      throw new HotupError('SSH_AUTH', `cannot read the SSH key ${file}: ${(e as Error).message}`,
        'Point ssh.identity at a readable private key, or remove it to use the ssh agent.', { host: spec.raw });
    }
    // Checked here so an unusable key is reported as such, not as a refused login.
    const parsed = ssh2.utils.parseKey(key);
    if (parsed instanceof Error) {
      const encrypted = /passphrase/i.test(parsed.message);
      throw new HotupError('SSH_AUTH', `cannot use the SSH key ${file}: ${parsed.message}`,
        encrypted ? `hotup does not ask for passphrases: load the key into the ssh agent (ssh-add ${file}) and remove ssh.identity.`
          : 'Point ssh.identity at an OpenSSH or PEM private key.', { host: spec.raw });
    }
    return { privateKey: key };
  }
  if (process.env.SSH_AUTH_SOCK) return { agent: process.env.SSH_AUTH_SOCK };
  throw new HotupError('SSH_AUTH', 'no SSH key: ssh.identity is not set and no ssh agent is running (SSH_AUTH_SOCK is empty)',
    'Set ssh.identity in hotup.yml, or start an agent and add your key (eval $(ssh-agent); ssh-add).', { host: spec.raw });
}

function authError(spec: HostSpec, ssh: SshSettings, detail: string): HotupError {
  const key = ssh.identity ? `the key ${expandHome(ssh.identity)}` : 'the keys in the ssh agent';
  return new HotupError('SSH_AUTH', `${spec.host} port ${spec.port} refused the login of ${spec.user} with ${key}: ${detail}`,
    `Add the public key to ~${spec.user}/.ssh/authorized_keys on the host (ssh-copy-id -p ${spec.port} ${spec.user}@${spec.host}), `
      + 'or set ssh.identity to a key the host accepts.', { host: spec.raw });
}

function describeConnectFailure(e: Error & { level?: string; code?: string }, timeoutMs: number): string {
  if (e.level === 'client-timeout') return `no SSH answer within ${timeoutMs / 1000} s`;
  switch (e.code) {
    case 'ECONNREFUSED': return 'connection refused (nothing listens on that port)';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'the host name does not resolve';
    case 'EHOSTUNREACH': case 'ENETUNREACH': case 'ETIMEDOUT': return 'the host is unreachable';
    default: return e.message;
  }
}

function connectError(spec: HostSpec, detail: string): HotupError {
  return new HotupError('SSH_CONNECT', `cannot connect to ${spec.host} port ${spec.port}: ${detail}`,
    `Check the host name and port in hotup.yml, that sshd runs there and that no firewall is in the way (try: ssh -p ${spec.port} ${spec.user}@${spec.host} true). `
      + 'On a slow link, raise ssh.connect_timeout.', { host: spec.raw });
}

/** `ssh-keyscan -t` names a key type by its short form. */
function keyscanType(type: string): string {
  return type.replace(/^ssh-/, '').replace(/^ecdsa-.*/, 'ecdsa');
}

function hostKeyError(verdict: Exclude<HostKeyVerdict, 'trusted'>, spec: HostSpec, key: Buffer, file: string): HotupError {
  const fp = fingerprint(key);
  const type = keyType(key);
  const name = knownHostsName(spec.host, spec.port);
  const add = `ssh-keyscan -t ${keyscanType(type)} -p ${spec.port} ${spec.host} >> ${file}`;
  if (verdict === 'unknown') {
    return new HotupError('SSH_HOST_KEY_UNKNOWN', `the host key of ${name} is not in ${file}; the host offered ${type} ${fp}`,
      `Confirm ${fp} out of band (on the host: ssh-keygen -lf /etc/ssh/ssh_host_${keyscanType(type)}_key.pub), then add it: ${add}`,
      { host: spec.raw });
  }
  return new HotupError('SSH_HOST_KEY_CHANGED',
    `the host key of ${name} ${verdict === 'revoked' ? 'is marked @revoked' : 'has CHANGED'} in ${file}: the host offered ${type} ${fp}. `
      + 'This can be a man-in-the-middle attack; hotup will not connect',
    `If the host was really reinstalled or re-keyed, confirm ${fp} out of band, then replace the old entry: `
      + `ssh-keygen -R '${name}' -f ${file} && ${add}`,
    { host: spec.raw });
}
