/**
 * known_hosts matching as OpenSSH does it, so hotup trusts exactly the hosts
 * `ssh` would: plain and hashed (`|1|salt|hash`) names, `[host]:port` for
 * other ports, `*`/`?` patterns, `!` negation, `@revoked` markers.
 */
import { createHash, createHmac } from 'node:crypto';

export interface KnownKey {
  type: string;
  blob: Buffer;
}

export interface HostKeyVerdict {
  verdict: 'trusted' | 'unknown' | 'changed' | 'revoked';
  /** Key types recorded for this host (helps choose algorithms and explain refusals). */
  recordedTypes: string[];
}

/** How a host is named in known_hosts: bare for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|');
  if (!salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

function namesMatch(field: string, name: string): boolean {
  if (field.startsWith('|1|')) return hashedMatches(field, name);
  let matched = false;
  for (const pat of field.split(',')) {
    if (pat.startsWith('!')) {
      if (globToRegExp(pat.slice(1)).test(name)) return false;
    } else if (globToRegExp(pat).test(name)) {
      matched = true;
    }
  }
  return matched;
}

/** The key type named inside an SSH public key blob (its first string). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

interface Entry {
  marker: string | null;
  names: string;
  key: KnownKey;
}

function parse(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? fields.shift()! : null;
    const [names, type, b64] = fields;
    if (!names || !type || !b64) continue;
    entries.push({ marker, names, key: { type, blob: Buffer.from(b64, 'base64') } });
  }
  return entries;
}

export function checkHostKey(knownHostsText: string, host: string, port: number, offered: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const entries = parse(knownHostsText).filter((e) => e.marker !== '@cert-authority' && namesMatch(e.names, name));
  const recordedTypes = [...new Set(entries.filter((e) => e.marker === null).map((e) => e.key.type))];
  if (entries.some((e) => e.marker === '@revoked' && e.key.blob.equals(offered))) return { verdict: 'revoked', recordedTypes };
  const plain = entries.filter((e) => e.marker === null);
  if (plain.some((e) => e.key.blob.equals(offered))) return { verdict: 'trusted', recordedTypes };
  const type = blobType(offered);
  return { verdict: plain.some((e) => e.key.type === type) ? 'changed' : 'unknown', recordedTypes };
}
