/** Runs on a remote host over one reused SSH connection (ssh2), through the ProxyJump hops the ssh config names, every host key checked. */
import os from 'node:os';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { HotupError } from '../errors.js';
import type { HostSpec, SshSettings } from '../config/types.js';
import type { Executor, Process, RunOptions, RunResult, UploadProgress } from './executor.js';
import { LineSplitter, StderrTail } from './lines.js';
import { loadSshConfig } from './ssh-config-file.js';
import { forward, openClient, type Opened } from './ssh-open.js';
import { describe, routeTo } from './ssh-route.js';
import { commandTimedOut, exitCode, Output, transferFailed } from './outcome.js';
import { commandLine } from './quote.js';
import { Slots } from './slots.js';

/**
 * Exec channels open at once on one connection. OpenSSH allows 10 sessions per
 * connection by default (MaxSessions); this leaves room for the SFTP session.
 */
const MAX_CHANNELS = 8;

export class SshExecutor implements Executor {
  readonly target: string;
  private readonly channels = new Slots(MAX_CHANNELS);
  private readonly commandTimeoutMs: number;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  /** Why no more commands can run: the connection dropped, or close() was called. */
  private gone: Error | undefined;
  private lastError: Error | undefined;
  private readonly closed: Promise<void>;

  /** WHERE names the connection in messages: the host, its address and port, or that it goes through jump hosts. */
  private constructor(private readonly client: Client, private readonly hops: Opened[], spec: HostSpec, ssh: SshSettings, where: string) {
    this.target = spec.raw;
    this.commandTimeoutMs = ssh.commandTimeoutMs;
    // Stays attached for the connection's life: a later failure must not crash the process.
    client.on('error', (e) => (this.lastError = e));
    this.closed = new Promise((resolve) => {
      client.once('close', () => {
        this.gone ??= new HotupError('LINK_LOST',
          `the connection to ${where} was lost${this.lastError ? `: ${this.lastError.message}` : ''}`,
          'Check the network and the host, then run hotup again; the step that was running may need to be checked by hand.',
          { host: spec.raw });
        // The hops only carried this connection.
        for (const hop of hops) hop.client.end();
        resolve();
      });
    });
  }

  /** Connects through the host's ProxyJump hops (from the ssh config), if any, each with its host key checked. */
  static async connect(spec: HostSpec, ssh: SshSettings): Promise<SshExecutor> {
    const home = os.homedir();
    const config = ssh.config === undefined ? { lines: [] } : loadSshConfig(ssh.config, home);
    const route = routeTo(spec, { config, settings: ssh, home, localUser: os.userInfo().username });
    const hops: Opened[] = [];
    try {
      let sock: Duplex | undefined;
      for (const [i, hop] of route.hops.entries()) {
        const next = route.hops[i + 1] ?? route.target;
        const leg = { host: spec.raw, jumpFor: next.name, via: route.hops.slice(0, i) };
        const opened = await openClient(hop, sock, leg);
        hops.push(opened);
        // Ended with the connection it carries; a hop's later failure shows there as a lost link.
        opened.client.on('error', () => undefined);
        sock = await forward(opened.client, hop, next, leg);
      }
      const leg = { host: spec.raw, via: route.hops };
      const { client } = await openClient(route.target, sock, leg);
      const where = hops.length > 0 ? `${spec.host} (through its jump hosts)` : describe(route.target, leg);
      return new SshExecutor(client, hops, spec, ssh, where);
    } catch (e) {
      for (const hop of hops) hop.client.end();
      throw e;
    }
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
    // The hops end when the host's connection closes; wait until they have.
    await Promise.all(this.hops.map((hop) => hop.closed));
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

