/**
 * Every connection hotup makes to reach one host: its ProxyJump hops, then the host itself, each
 * resolved through the ssh config. Pure. Precedence per setting: what hotup.yml says explicitly,
 * then the ssh config, then the defaults; a `user@` or `:port` written in the host wins over the config.
 */
import { HotupError } from '../errors.js';
import type { HostSpec, SshSettings } from '../config/types.js';
import { knownHostsName } from './known-hosts.js';
import { expandTokens, hostOptions, parseJump, type SshConfig, type StrictHostKeyChecking, type TokenValues } from './ssh-config.js';

/** One SSH connection of a route, all settings final. */
export interface Endpoint {
  /** The host as hotup.yml or a ProxyJump names it (an alias, or an address). */
  name: string;
  /** Where to connect: HostName, else the name. */
  host: string;
  port: number;
  user: string;
  /** Private keys to try in order, `~` and tokens expanded. */
  identityFiles: string[];
  /** Where those came from: a missing file is an error only when hotup.yml or the ssh config named it. */
  identitySource: 'hotup.yml' | 'ssh config' | 'default';
  /** Only agent keys that belong to identityFiles are offered (IdentitiesOnly yes). */
  identitiesOnly: boolean;
  /** Files the host key is checked against; a new key is recorded in the first. */
  knownHostsFiles: string[];
  /** The name the host key is looked up and recorded under: HostKeyAlias as it is (no port, as ssh does), else `host` or `[host]:port`. */
  keyName: string;
  strictHostKeyChecking: StrictHostKeyChecking;
  connectTimeoutMs: number;
}

export interface Route {
  /** Jump hosts in the order they are connected to; empty for a direct connection. */
  hops: Endpoint[];
  target: Endpoint;
}

export interface RouteContext {
  config: SshConfig;
  settings: SshSettings;
  home: string;
  localUser: string;
}

export const DEFAULT_KNOWN_HOSTS = '~/.ssh/known_hosts';
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** What ssh tries when no IdentityFile is configured (the ones ssh2 can use). */
const DEFAULT_IDENTITIES = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];
/** A bound on hops (and on ProxyJump loops in the config). */
const MAX_HOPS = 8;

interface Asked {
  name: string;
  /** Given where the host is written (`user@`, `:port`): wins over the config. */
  user?: string;
  port?: number;
}

function endpoint(asked: Asked, ctx: RouteContext): { endpoint: Endpoint; jumps: string[] } {
  const o = hostOptions(ctx.config, asked.name);
  if (o.proxyCommand !== undefined) {
    throw new HotupError('CONFIG_INVALID', `the ssh config sets ProxyCommand for ${asked.name}; hotup does not run proxy commands`,
      'Use ProxyJump for that host in the ssh config (hotup follows it), or set ssh.config: false in hotup.yml.');
  }
  const user = asked.user ?? o.user ?? ctx.localUser;
  const port = asked.port ?? o.port ?? 22;
  const base: TokenValues = { home: ctx.home, localUser: ctx.localUser, alias: asked.name, host: asked.name, user, port };
  const host = o.hostName === undefined ? asked.name : expandTokens(o.hostName, base, `HostName of ${asked.name}`);
  const tokens = { ...base, host };
  const expand = (files: string[], what: string) => files.map((f) => expandTokens(f, tokens, `${what} of ${asked.name}`));
  const s = ctx.settings;
  const [identityFiles, identitySource]: [string[], Endpoint['identitySource']] = s.identity !== undefined
    ? [[expandTokens(s.identity, tokens)], 'hotup.yml']
    : o.identityFiles.length > 0 ? [expand(o.identityFiles, 'IdentityFile'), 'ssh config'] : [expand(DEFAULT_IDENTITIES, 'default key'), 'default'];
  const knownHostsFiles = s.knownHosts !== undefined ? [expandTokens(s.knownHosts, tokens)]
    : expand(o.userKnownHostsFiles ?? [DEFAULT_KNOWN_HOSTS], 'UserKnownHostsFile');
  return {
    endpoint: {
      name: asked.name,
      host,
      port,
      user,
      identityFiles,
      identitySource,
      identitiesOnly: o.identitiesOnly ?? false,
      knownHostsFiles,
      keyName: o.hostKeyAlias?.toLowerCase() ?? knownHostsName(host, port),
      // The user's config may relax it; without one, unknown and changed keys are both refused.
      strictHostKeyChecking: o.strictHostKeyChecking ?? 'yes',
      connectTimeoutMs: s.connectTimeoutMs ?? (o.connectTimeoutSeconds === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : o.connectTimeoutSeconds * 1000),
    },
    jumps: o.proxyJump ?? [],
  };
}

function jumpHost(written: string, of: string): Asked {
  const j = parseJump(written);
  if (!j) {
    throw new HotupError('CONFIG_INVALID', `the ssh config's ProxyJump for ${of} has "${written}", which is not [user@]host[:port]`,
      'Fix the ProxyJump line in the ssh config (hops are separated by commas).');
  }
  return { name: j.host, ...(j.user ? { user: j.user } : {}), ...(j.port ? { port: j.port } : {}) };
}

/**
 * The first hop is itself reached through its own ProxyJump; the later hops through the hops
 * before them, as `ssh -J a,b` does.
 */
function hopsTo(asked: Asked, ctx: RouteContext, depth: number): Endpoint[] {
  const tooMany = () => new HotupError('CONFIG_INVALID', `the ProxyJump settings in the ssh config lead through more than ${MAX_HOPS} hops to reach ${asked.name} (a loop?)`,
    'Fix the ProxyJump lines of the ssh config.');
  if (depth > MAX_HOPS) throw tooMany();
  const { endpoint: end, jumps } = endpoint(asked, ctx);
  if (jumps.length === 0) return [end];
  const [first, ...rest] = jumps.map((j) => jumpHost(j, asked.name));
  const all = [...hopsTo(first!, ctx, depth + 1), ...rest.map((r) => endpoint(r, ctx).endpoint), end];
  if (all.length > MAX_HOPS + 1) throw tooMany();
  return all;
}

export function routeTo(spec: HostSpec, ctx: RouteContext): Route {
  const asked: Asked = {
    name: spec.host,
    ...(spec.defaulted?.user ? {} : { user: spec.user }),
    ...(spec.defaulted?.port ? {} : { port: spec.port }),
  };
  const all = hopsTo(asked, ctx, 0);
  const target = all.pop()!;
  return { hops: all, target };
}

/** Who a connection is for: the host as hotup.yml names it, and the jump hosts on the way. */
export interface Leg {
  /** The host string of hotup.yml: errors are attributed to it. */
  host: string;
  /** Set when this connection is a jump host: the name of the host it leads to. */
  jumpFor?: string;
  /** The jump hosts before this connection, for the remedies. */
  via: Endpoint[];
}

/** The connection as messages name it: `the jump host bastion (10.0.0.1 port 22) on the way to web1`. */
export function describe(end: Endpoint, leg: Leg): string {
  const where = end.name === end.host ? `${end.host} port ${end.port}` : `${end.name} (${end.host} port ${end.port})`;
  return leg.jumpFor === undefined ? where : `the jump host ${where} on the way to ${leg.jumpFor}`;
}
