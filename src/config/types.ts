/** The validated, typed form of hotup.yml. Paths are absolute, `~` expanded. */

export type BuildTool = 'rebar3' | 'mix' | 'distillery' | 'custom';

/** `user@host:port` parsed; `raw` is what the config said, used in messages. */
export interface HostSpec {
  raw: string;
  user: string;
  host: string;
  port: number;
}

export interface SshSettings {
  /** Private key file; absent means use the ssh agent (SSH_AUTH_SOCK). */
  identity?: string;
  /** known_hosts file every host key is checked against. */
  knownHosts: string;
  /** Milliseconds allowed for connecting (TCP + handshake + auth). */
  connectTimeoutMs: number;
  /** Milliseconds allowed for one remote command unless the step sets its own. */
  commandTimeoutMs: number;
}

export interface BuildConfig {
  /** `local`, or an SSH target for a remote build host. */
  host: 'local' | HostSpec;
  tool: BuildTool;
  /** Project directory on the build host (absolute when local). */
  path: string;
  profile: string;
  ssh: SshSettings;
}

export interface EnvironmentConfig {
  name: string;
  hosts: HostSpec[];
  /** Release root on each host: bin/, lib/, releases/. */
  deployTo: string;
  ssh: SshSettings;
}

export interface Config {
  /** Absolute path of the hotup.yml that was read. */
  file: string;
  /** Directory holding that file; relative paths in it are resolved from here. */
  root: string;
  /** Release name. */
  app: string;
  build: BuildConfig;
  environments: Record<string, EnvironmentConfig>;
}
