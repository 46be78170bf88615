/** `user@host:port` strings from the config, parsed. Pure. */
import { isIPv4, isIPv6 } from 'node:net';
import type { HostSpec } from './types.js';

export const HOST_SHAPE = 'should be a host like user@host or user@host:port';

/** The login used when a host has no `user@`; undefined when it cannot be known. */
export type DefaultUser = () => string | undefined;

const SHAPE_RE = /^(?:([^@\s]+)@)?(\[[^\]\s]*\]|[^:@[\]\s]+)(?::(.+))?$/;
const USER_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const NAME_RE = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

/** The parsed host, or what is wrong with it (phrased to follow the key's path). */
export function parseHostSpec(written: string, defaultUser: DefaultUser): HostSpec | { error: string } {
  const raw = written.trim();
  // Without brackets, an IPv6 address cannot be told from host:port, so it is refused with the fix.
  const afterUser = raw.slice(raw.lastIndexOf('@') + 1);
  if (isIPv6(afterUser)) {
    return { error: `should put an IPv6 address in brackets, like [${afterUser}] or [${afterUser}]:22` };
  }
  const m = SHAPE_RE.exec(raw);
  if (!m) return { error: HOST_SHAPE };
  const [, userPart, hostPart = '', portText] = m;
  if (userPart !== undefined && !USER_RE.test(userPart)) return { error: `has an invalid user name "${userPart}"` };

  const bracketed = hostPart.startsWith('[');
  const host = bracketed ? hostPart.slice(1, -1) : hostPart;
  if (bracketed ? !isIPv6(host) : !NAME_RE.test(host)) return { error: HOST_SHAPE };
  if (/^[0-9.]+$/.test(host) && !isIPv4(host)) return { error: `has an invalid IPv4 address "${host}"` };

  const port = portText === undefined ? 22 : /^[0-9]+$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    return { error: `should have a port from 1 to 65535, not ${Number.isNaN(port) ? `"${portText}"` : port}` };
  }

  const user = userPart ?? defaultUser();
  if (user === undefined) return { error: 'has no user@ and the current user is unknown: write it as user@host' };
  const defaulted = { ...(userPart === undefined ? { user: true as const } : {}), ...(portText === undefined ? { port: true as const } : {}) };
  return { raw, user, host, port, ...(Object.keys(defaulted).length > 0 ? { defaulted } : {}) };
}
