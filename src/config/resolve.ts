/** A checked hotup.yml to the typed Config: defaults filled in, ssh layers merged, paths made absolute. Pure. */
import path from 'node:path';
import type { RawConfig, RawHealth, RawRestart, RawSsh } from './schema.js';
import type { Config, EnvironmentConfig, HealthProbeConfig, HealthSettings, RestartConfig, SshSettings } from './types.js';

/** Documented in docs/config.md. */
const DEFAULTS = {
  buildPath: '.',
  profile: 'prod',
  tool: 'rebar3',
  appups: 'generate',
  sshConfig: '~/.ssh/config',
  commandTimeoutSeconds: 120,
  healthTimeoutSeconds: 5,
  healthRetries: 10,
  healthIntervalSeconds: 1,
  nodeWaitSeconds: 60,
} as const;

function health(h: RawHealth): HealthSettings {
  const probe: HealthProbeConfig =
    h.command !== undefined ? { kind: 'command', command: h.command } : h.tcp !== undefined ? { kind: 'tcp', port: h.tcp } : { kind: 'http', url: h.http! };
  return {
    probe,
    timeoutMs: (h.timeout ?? DEFAULTS.healthTimeoutSeconds) * 1000,
    retries: h.retries ?? DEFAULTS.healthRetries,
    intervalMs: (h.interval ?? DEFAULTS.healthIntervalSeconds) * 1000,
  };
}

function restart(r: RawRestart): RestartConfig {
  return r.systemd !== undefined ? { kind: 'systemd', unit: r.systemd, sudo: r.sudo ?? false } : { kind: 'command', command: r.command! };
}

/** Where the config file sits and whose home `~` means. */
export interface Place {
  file: string;
  home: string;
}

export function resolveConfig(raw: RawConfig, place: Place): Config {
  const file = path.resolve(place.file);
  const root = path.dirname(file);
  const local = (p: string) => path.resolve(root, expandHome(p, place.home));

  const ssh = (own: RawSsh | undefined): SshSettings => {
    // Key by key: the section's own ssh block wins over the top-level one.
    const merged = { ...raw.ssh, ...own };
    return {
      // Left out when not written, so the ssh config can supply them (src/remote/ssh-route.ts).
      ...(merged.identity === undefined ? {} : { identity: local(merged.identity) }),
      ...(merged.known_hosts === undefined ? {} : { knownHosts: local(merged.known_hosts) }),
      ...(merged.connect_timeout === undefined ? {} : { connectTimeoutMs: merged.connect_timeout * 1000 }),
      ...(merged.config === false ? {} : { config: local(merged.config ?? DEFAULTS.sshConfig) }),
      commandTimeoutMs: (merged.command_timeout ?? DEFAULTS.commandTimeoutSeconds) * 1000,
    };
  };

  const environments: Record<string, EnvironmentConfig> = {};
  for (const [name, env] of Object.entries(raw.environments)) {
    environments[name] = {
      name,
      hosts: env.hosts,
      deployTo: path.posix.normalize(env.deploy_to).replace(/(.)\/$/, '$1'),
      ssh: ssh(env.ssh),
      env: env.env ?? {},
      ...(env.health ? { health: health(env.health) } : {}),
      ...(env.restart ? { restart: restart(env.restart) } : {}),
      ...(env.prune ? { prune: { keep: env.prune.keep } } : {}),
      nodeWaitMs: (env.node_wait ?? DEFAULTS.nodeWaitSeconds) * 1000,
    };
  }

  const build = raw.build ?? {};
  const host = build.host ?? 'local';
  const buildPath = build.path ?? DEFAULTS.buildPath;
  return {
    file,
    root,
    app: raw.app,
    build: {
      host,
      tool: build.tool ?? DEFAULTS.tool,
      task: build.task ?? 'distillery.release',
      appups: build.appups ?? DEFAULTS.appups,
      ...(build.command ? { command: build.command } : {}),
      ...(build.release_dir ? { releaseDir: build.release_dir } : {}),
      ...(build.tarball ? { tarball: build.tarball } : {}),
      path: host === 'local' ? local(buildPath) : remotePath(buildPath),
      profile: build.profile ?? DEFAULTS.profile,
      ssh: ssh(build.ssh),
    },
    environments,
    hooks: raw.hooks ?? {},
  };
}

function expandHome(p: string, home: string): string {
  return p === '~' || p.startsWith('~/') ? home + p.slice(1) : p;
}

/**
 * A remote build host's path is its own, so our home means nothing there. The remote shell starts
 * in the login's home, so `~/src` becomes `src`: commands quote paths, and a quoted `~` stays literal.
 */
function remotePath(p: string): string {
  return p === '~' ? '.' : p.startsWith('~/') ? p.slice(2) || '.' : p;
}
