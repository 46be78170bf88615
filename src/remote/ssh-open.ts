/**
 * Opening one SSH connection of a route (a jump host or the host itself) with ssh2: its host key
 * checked against known_hosts, its login, and every failure named for the hop it happened on.
 */
import { appendFile, readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import { HotupError } from '../errors.js';
import { loginFor } from './ssh-auth.js';
import { describe, type Endpoint, type Leg } from './ssh-route.js';
import { fingerprint, hostKeysFor, keyType, knownHostsName, recordedTypes, verifyHostKey, type HostKeyVerdict } from './known-hosts.js';

export interface Opened {
  client: Client;
  /** Settles when the connection has closed. */
  closed: Promise<void>;
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

/** `ssh` with the same route, for a remedy the user can paste. */
function sshCommand(end: Endpoint, leg: Leg): string {
  const jumps = leg.via.map((h) => `${h.user}@${h.host}:${h.port}`).join(',');
  return `ssh ${jumps ? `-J ${jumps} ` : ''}-p ${end.port} ${end.user}@${end.host} true`;
}

async function readKnownHosts(files: string[], end: Endpoint, leg: Leg): Promise<string> {
  const texts = await Promise.all(files.map(async (file) => {
    try {
      return await readFile(file, 'utf8');
    } catch (e) {
      // A missing file only means no host is known yet; the refusal then says how to add one.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw new HotupError('SSH_HOST_KEY_UNKNOWN', `cannot read the known_hosts file ${file} (for ${describe(end, leg)}): ${(e as Error).message}`,
        'Make the file readable, or point ssh.known_hosts in hotup.yml at another one.', { host: leg.host });
    }
  }));
  return texts.join('\n');
}

export async function openClient(end: Endpoint, sock: Duplex | undefined, leg: Leg): Promise<Opened> {
  const hostKeys = hostKeysFor(await readKnownHosts(end.knownHostsFiles, end, leg), end.keyName);
  const algorithms = hostKeyAlgorithms(recordedTypes(hostKeys));
  const login = await loginFor(end, leg);
  let refusal: HotupError | undefined;
  let learned: Buffer | undefined;
  const config: ConnectConfig = {
    host: end.host,
    port: end.port,
    username: end.user,
    ...(sock ? { sock } : {}),
    // Covers DNS, TCP, handshake and login: ssh2 starts it before connecting and clears it when ready.
    readyTimeout: end.connectTimeoutMs,
    // A silently dead connection is noticed after three unanswered keepalives instead of never.
    keepaliveInterval: 15_000,
    authHandler: login.methods,
    ...(algorithms ? { algorithms: { serverHostKey: algorithms } } : {}),
    hostVerifier: (key: Buffer) => {
      const verdict = verifyHostKey(hostKeys, key);
      if (verdict === 'trusted') return true;
      // StrictHostKeyChecking accept-new (or no) in the user's ssh config: a first key is recorded; a changed one never passes.
      if (verdict === 'unknown' && (end.strictHostKeyChecking === 'accept-new' || end.strictHostKeyChecking === 'no')) {
        learned = key;
        return true;
      }
      refusal = hostKeyError(verdict, end, leg, key);
      return false;
    },
  };
  const client = new Client();
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const onError = (e: Error & { level?: string; code?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      if (refusal) reject(refusal);
      else if (e.level === 'client-authentication') reject(authError(end, leg, login.offered, login.locked, e.message));
      else reject(connectError(end, leg, describeConnectFailure(e, end.connectTimeoutMs)));
    };
    client.on('error', onError);
    client.once('ready', () => {
      settled = true;
      client.off('error', onError);
      resolve();
    });
    try {
      client.connect(config);
    } catch (e) {
      onError(e as Error);
    }
  });
  if (learned) await recordHostKey(end, leg, learned, client);
  return { client, closed };
}

async function recordHostKey(end: Endpoint, leg: Leg, key: Buffer, client: Client): Promise<void> {
  const file = end.knownHostsFiles[0]!;
  try {
    await appendFile(file, `${end.keyName} ${keyType(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
  } catch (e) {
    client.end();
    throw new HotupError('SSH_HOST_KEY_UNKNOWN', `cannot record the new host key of ${describe(end, leg)} in ${file}: ${(e as Error).message}`,
      'Make the known_hosts file writable, or add the key yourself.', { host: leg.host });
  }
}

/** A channel from HOP to NEXT (`ssh -W`), which carries the next connection. */
export function forward(hop: Client, hopEnd: Endpoint, next: Endpoint, leg: Leg): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const refused = (detail: string) => new HotupError('SSH_CONNECT',
      `${describe(hopEnd, leg)} could not open a connection to ${next.host} port ${next.port}: ${detail}`,
      `Check that ${next.host} port ${next.port} is reachable from ${hopEnd.name} (there: nc -vz ${next.host} ${next.port}), `
        + `that the HostName of ${next.name} is the address the jump host knows it by, and that the jump host's sshd allows forwarding (AllowTcpForwarding, PermitOpen).`,
      { host: leg.host });
    // The jump host answers only when its own connection attempt ends, which may take minutes.
    const timer = setTimeout(() => reject(refused(`no answer within ${next.connectTimeoutMs / 1000} s`)), next.connectTimeoutMs);
    try {
      hop.forwardOut('127.0.0.1', 0, next.host, next.port, (err, stream) => {
        clearTimeout(timer);
        if (err) reject(refused(err.message));
        else resolve(stream);
      });
    } catch (e) {
      clearTimeout(timer);
      reject(refused((e as Error).message));
    }
  });
}

function authError(end: Endpoint, leg: Leg, offered: string, locked: string[], detail: string): HotupError {
  const skipped = locked.length > 0 ? ` (left out, protected by a passphrase with no agent running: ${locked.join(', ')})` : '';
  return new HotupError('SSH_AUTH', `${describe(end, leg)} refused the login of ${end.user} with ${offered}${skipped}: ${detail}`,
    `Add the public key to ~${end.user}/.ssh/authorized_keys on ${end.name} (ssh-copy-id -p ${end.port} ${end.user}@${end.host}), `
      + `set ssh.identity (or IdentityFile for ${end.name} in the ssh config) to a key the host accepts${locked.length > 0 ? `, or load the protected key into an agent (ssh-add ${locked[0]})` : ''}.`,
    { host: leg.host });
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

function connectError(end: Endpoint, leg: Leg, detail: string): HotupError {
  const what = leg.jumpFor === undefined ? 'Check the host name and port in hotup.yml' : `Check ${end.name} in the ssh config's ProxyJump (and its HostName and Port)`;
  return new HotupError('SSH_CONNECT', `cannot connect to ${describe(end, leg)}: ${detail}`,
    `${what}, that sshd runs there and that no firewall is in the way (try: ${sshCommand(end, leg)}). `
      + 'On a slow link, raise ssh.connect_timeout.', { host: leg.host });
}

/** `ssh-keyscan -t` names a key type by its short form. */
function keyscanType(type: string): string {
  return type.replace(/^ssh-/, '').replace(/^ecdsa-.*/, 'ecdsa');
}

function hostKeyError(verdict: Exclude<HostKeyVerdict, 'trusted'>, end: Endpoint, leg: Leg, key: Buffer): HotupError {
  const fp = fingerprint(key);
  const type = keyType(key);
  const name = end.keyName;
  const file = end.knownHostsFiles[0]!;
  const files = end.knownHostsFiles.join(', ');
  // Behind a jump host, the key is fetched from the last hop, which can reach the host.
  const last = leg.via.at(-1);
  const scan = `ssh-keyscan -t ${keyscanType(type)} -p ${end.port} ${end.host}`;
  const fetched = last ? `ssh -p ${last.port} ${last.user}@${last.host} ${scan}` : scan;
  // keyscan prints the host's own name; known_hosts must hold the name hotup looks up.
  const add = name === knownHostsName(end.host, end.port) ? `${fetched} >> ${file}` : `${fetched} | sed 's/^[^ ]*/${name}/' >> ${file}`;
  const jump = leg.jumpFor === undefined ? '' : ` (a jump host on the way to ${leg.jumpFor})`;
  if (verdict === 'unknown') {
    return new HotupError('SSH_HOST_KEY_UNKNOWN', `the host key of ${name}${jump} is not in ${files}; the host offered ${type} ${fp}`,
      `Confirm ${fp} out of band (on the host: ssh-keygen -lf /etc/ssh/ssh_host_${keyscanType(type)}_key.pub), then add it: ${add}`,
      { host: leg.host });
  }
  return new HotupError('SSH_HOST_KEY_CHANGED',
    `the host key of ${name}${jump} ${verdict === 'revoked' ? 'is marked @revoked' : 'has CHANGED'} in ${files}: the host offered ${type} ${fp}. `
      + 'This can be a man-in-the-middle attack; hotup will not connect',
    `If the host was really reinstalled or re-keyed, confirm ${fp} out of band, then replace the old entry: `
      + `ssh-keygen -R '${name}' -f ${file} && ${add}`,
    { host: leg.host });
}
