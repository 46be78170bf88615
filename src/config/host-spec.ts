/** `user@host:port` strings from the config, parsed. Pure. */
import type { HostSpec } from './types.js';

const HOST_RE = /^(?:([A-Za-z0-9._-]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*)(?::([0-9]+))?$/;

/** The parsed host, or a reason it is not one. */
export function parseHostSpec(raw: string, defaultUser: string): HostSpec | { error: string } {
  const m = HOST_RE.exec(raw.trim());
  if (!m) return { error: 'should be a host like user@host or user@host:port' };
  const [, user, hostPart, portText] = m;
  const port = portText === undefined ? 22 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { error: `port ${portText} is out of range (1-65535)` };
  const host = hostPart!.startsWith('[') ? hostPart!.slice(1, -1) : hostPart!;
  return { raw: raw.trim(), user: user ?? defaultUser, host, port };
}
