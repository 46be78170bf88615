/**
 * How hotup logs in to one endpoint, as ssh would: the agent's keys first (only those of the
 * identity files with IdentitiesOnly), then each identity file hotup can use without a passphrase.
 */
import { readFile } from 'node:fs/promises';
// ssh2 is CommonJS: Node's ESM loader sees `Client` as a named export but not `utils` or the agent class, reached through the default export.
import ssh2, { type AnyAuthMethod, type IdentityCallback, type ParsedKey } from 'ssh2';
import { HotupError } from '../errors.js';
import { describe, type Endpoint, type Leg } from './ssh-route.js';

export interface Login {
  /** The methods ssh2 tries, in order. */
  methods: AnyAuthMethod[];
  /** What was offered, for the message when the host refuses all of it. */
  offered: string;
  /** Keys left out because they need a passphrase (the agent was the only way to use them). */
  locked: string[];
}

/** Offers only the agent's keys whose public half is in ALLOWED (IdentitiesOnly). */
class FilteredAgent extends ssh2.OpenSSHAgent {
  constructor(socket: string, private readonly allowed: Buffer[]) {
    super(socket);
  }

  override getIdentities(cb: IdentityCallback<ParsedKey>): void {
    super.getIdentities((err, keys) => cb(err, keys?.filter((k) => 'getPublicSSH' in k && this.allowed.some((a) => a.equals(k.getPublicSSH())))));
  }
}

type KeyFile = { file: string; key: Buffer; publicKey: Buffer } | { file: string; locked: true; publicKey?: Buffer };

async function readKey(file: string, end: Endpoint, leg: Leg): Promise<KeyFile | undefined> {
  let text: Buffer;
  try {
    text = await readFile(file);
  } catch (e) {
    // ssh skips identity files that are not there; one hotup.yml names must be.
    if (end.identitySource !== 'hotup.yml' && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HotupError('SSH_AUTH', `cannot read the SSH key ${file}: ${(e as Error).message}`,
      end.identitySource === 'hotup.yml' ? 'Point ssh.identity at a readable private key, or remove it to use the ssh agent.'
        : `Make the key readable, or change the IdentityFile for ${end.name} in the ssh config.`, { host: leg.host });
  }
  const parsed = ssh2.utils.parseKey(text);
  if (!(parsed instanceof Error)) return { file, key: text, publicKey: parsed.getPublicSSH() };
  if (/passphrase/i.test(parsed.message)) {
    const pub = await readFile(`${file}.pub`, 'utf8').then((t) => ssh2.utils.parseKey(t), () => undefined);
    return { file, locked: true, ...(pub && !(pub instanceof Error) ? { publicKey: pub.getPublicSSH() } : {}) };
  }
  // A default ~/.ssh/id_* of another kind is skipped, as ssh does; a named one is reported.
  if (end.identitySource === 'default') return undefined;
  throw new HotupError('SSH_AUTH', `cannot use the SSH key ${file}: ${parsed.message}`,
    end.identitySource === 'hotup.yml' ? 'Point ssh.identity at an OpenSSH or PEM private key.'
      : `Change the IdentityFile for ${end.name} in the ssh config to an OpenSSH or PEM private key.`, { host: leg.host });
}

function lockedError(file: string, end: Endpoint, leg: Leg): HotupError {
  return new HotupError('SSH_AUTH', `the SSH key ${file} is protected by a passphrase and no ssh agent is running (SSH_AUTH_SOCK is empty)`,
    `hotup does not ask for passphrases: start an agent and load the key (eval $(ssh-agent); ssh-add ${file})`
      + (end.identitySource === 'hotup.yml' ? ', then remove ssh.identity.' : ', then run hotup from that shell.'), { host: leg.host });
}

export async function loginFor(end: Endpoint, leg: Leg): Promise<Login> {
  const username = end.user;
  const keys = (await Promise.all(end.identityFiles.map((f) => readKey(f, end, leg)))).filter((k): k is KeyFile => k !== undefined);
  const agent = process.env.SSH_AUTH_SOCK || undefined;
  const usable = keys.flatMap((k) => ('key' in k ? [k] : []));
  const locked = keys.flatMap((k) => ('locked' in k ? [k.file] : []));
  // A key named in hotup.yml is the one to use, as before: no agent, and a locked one is an error at once.
  if (end.identitySource === 'hotup.yml') {
    if (locked[0]) throw lockedError(locked[0], end, leg);
    return { methods: usable.map((k): AnyAuthMethod => ({ type: 'publickey' as const, username, key: k.key })), offered: `the key ${usable[0]!.file}`, locked };
  }
  const methods: AnyAuthMethod[] = [];
  if (agent) {
    const allowed = keys.flatMap((k) => (k.publicKey ? [k.publicKey] : []));
    methods.push(end.identitiesOnly ? { type: 'agent' as const, username, agent: new FilteredAgent(agent, allowed) } : { type: 'agent' as const, username, agent });
  }
  methods.push(...usable.map((k): AnyAuthMethod => ({ type: 'publickey' as const, username, key: k.key })));
  if (methods.length === 0) {
    if (locked[0]) throw lockedError(locked[0], end, leg);
    const where = end.identitySource === 'ssh config' ? `the IdentityFile of the ssh config (${end.identityFiles.join(', ')})` : '~/.ssh/id_ed25519, id_ecdsa, id_rsa';
    throw new HotupError('SSH_AUTH', `no SSH key for ${describe(end, leg)}: ssh.identity is not set, none of ${where} exists, and no ssh agent is running (SSH_AUTH_SOCK is empty)`,
      'Set ssh.identity in hotup.yml (or IdentityFile in ~/.ssh/config), or start an agent and add your key (eval $(ssh-agent); ssh-add).', { host: leg.host });
  }
  const files = usable.map((k) => k.file);
  const offered = [
    ...(agent ? [end.identitiesOnly ? 'the ssh agent\'s keys of the identity files' : 'the keys in the ssh agent'] : []),
    ...(files.length > 0 ? [`${files.length === 1 ? 'the key' : 'the keys'} ${files.join(', ')}`] : []),
  ].join(' and ');
  return { methods, offered, locked: agent ? [] : locked };
}
