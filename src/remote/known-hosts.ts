/**
 * known_hosts matching as OpenSSH does it, so hotup trusts exactly the hosts
 * `ssh` would: plain and hashed (`|1|salt|hash`) names, `[host]:port` for
 * other ports, `*`/`?` patterns, `!` negation, `@revoked` markers.
 * `@cert-authority` lines are skipped: host certificates are not supported.
 */
import { createHash, createHmac } from 'node:crypto';
import { matchesPatterns } from './ssh-config.js';

/** The keys a known_hosts file records for one host. */
export interface HostKeys {
  trusted: Buffer[];
  revoked: Buffer[];
}

export type HostKeyVerdict = 'trusted' | 'unknown' | 'changed' | 'revoked';

/** How a host is named in known_hosts: bare for port 22, `[host]:port` otherwise; lower case, as ssh looks it up. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** The key type named inside an SSH public key blob (its first string), e.g. `ssh-ed25519`. */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  return blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1');
}

/** The fingerprint `ssh-keygen -l` and `ssh` print. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

function namesMatch(field: string, name: string): boolean {
  // Patterns and negations as in ssh_config's Host lines: one matching negation rules the line out.
  return field.startsWith('|1|') ? hashedMatches(field, name) : matchesPatterns(name, field.split(','));
}

/** The keys recorded under NAME, a name as `knownHostsName` makes it (or a HostKeyAlias). */
export function hostKeysFor(knownHostsText: string, name: string): HostKeys {
  const keys: HostKeys = { trusted: [], revoked: [] };
  for (const raw of knownHostsText.split('\n')) {
    const fields = raw.trim().split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [names, , base64] = fields;
    if (!names || names.startsWith('#') || !base64 || !namesMatch(names, name)) continue;
    const blob = Buffer.from(base64, 'base64');
    if (marker === undefined) keys.trusted.push(blob);
    else if (marker === '@revoked') keys.revoked.push(blob);
  }
  return keys;
}

/** Key types recorded for the host, e.g. to ask the server for one of them first. */
export function recordedTypes(keys: HostKeys): string[] {
  return [...new Set(keys.trusted.map(keyType))];
}

/** `changed` when a key of the offered type is recorded but is another key, as ssh's "HOST IDENTIFICATION HAS CHANGED". */
export function verifyHostKey(keys: HostKeys, offered: Buffer): HostKeyVerdict {
  if (keys.revoked.some((k) => k.equals(offered))) return 'revoked';
  if (keys.trusted.some((k) => k.equals(offered))) return 'trusted';
  return recordedTypes(keys).includes(keyType(offered)) ? 'changed' : 'unknown';
}
