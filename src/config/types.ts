/** The validated, typed form of hotup.yml. Paths are absolute, `~` expanded. */

export type BuildTool = 'rebar3' | 'mix' | 'distillery' | 'custom';

/** An upgraded application without an appup: hotup generates one from the module diff, or leaves it (a restart). */
export type AppupMode = 'generate' | 'off';

/** `user@host:port` parsed; `raw` is what the config said, used in messages. */
export interface HostSpec {
  raw: string;
  user: string;
  host: string;
  port: number;
  /** This host's release root, when it differs from the environment's deploy_to. */
  deployTo?: string;
  /** Variables for this host's commands, over the environment's `env`. */
  env?: Record<string, string>;
  /** Parts the host string left out and that got defaults: the ssh config's User and Port may set them. */
  defaulted?: { user?: true; port?: true };
}

/** What hotup.yml says; a setting it leaves out comes from the ssh config, else a default (src/remote/ssh-route.ts). */
export interface SshSettings {
  /** Private key file; absent: the ssh config's IdentityFile, else ~/.ssh/id_*, and the agent (SSH_AUTH_SOCK). */
  identity?: string;
  /** known_hosts file every host key is checked against; absent: UserKnownHostsFile, else ~/.ssh/known_hosts. */
  knownHosts?: string;
  /** Milliseconds allowed for connecting (TCP + handshake + auth); absent: ConnectTimeout, else 10 s. */
  connectTimeoutMs?: number;
  /** The OpenSSH client config read for every host; absent: none. */
  config?: string;
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
  /** rebar3 and mix: generate the appups an upgraded application lacks, or not. */
  appups: AppupMode;
  /** Distillery: the mix task (`distillery.release`; `release` for Distillery 1.x). */
  task: string;
  /** custom: the build command, with {upfrom} and {version} filled in. */
  command?: string;
  /** custom: where the command leaves the release, relative to path. */
  releaseDir?: string;
  /** custom: the tarball it makes, relative to path ({version}, {release_dir}). */
  tarball?: string;
}

/** How a node's health is probed; `{host}` in an HTTP URL becomes each host's address. */
export type HealthProbeConfig = { kind: 'command'; command: string } | { kind: 'tcp'; port: number } | { kind: 'http'; url: string };

export interface HealthSettings {
  probe: HealthProbeConfig;
  timeoutMs: number;
  /** Further attempts after a failed one. */
  retries: number;
  intervalMs: number;
}

/** A systemd unit restarted with `systemctl restart` (through `sudo -n` when SUDO), or a shell command. */
export type RestartConfig = { kind: 'systemd'; unit: string; sudo: boolean } | { kind: 'command'; command: string };

export interface EnvironmentConfig {
  name: string;
  hosts: HostSpec[];
  /** Release root on each host: bin/, lib/, releases/. */
  deployTo: string;
  ssh: SshSettings;
  /** Variables for every command on these hosts (e.g. what vm.args.src or RELEASE_NODE read). */
  env: Record<string, string>;
  /** Run after every upgrade, restart and rollback; absent: the node answering is enough. */
  health?: HealthSettings;
  /** How the node is restarted; absent: bin/<app> stop, then daemon. */
  restart?: RestartConfig;
  /** Prune after every successful apply, keeping this many releases besides the running, permanent and previous ones. */
  prune?: { keep: number };
  /** How long a node may take to answer after a restart. */
  nodeWaitMs: number;
}

export type HookName = 'before_build' | 'after_build' | 'before_upgrade' | 'after_upgrade' | 'on_rollback';

export interface Config {
  /** Absolute path of the hotup.yml that was read. */
  file: string;
  /** Directory holding that file; relative paths in it are resolved from here. */
  root: string;
  /** Release name. */
  app: string;
  build: BuildConfig;
  environments: Record<string, EnvironmentConfig>;
  /** Local commands run at fixed points of plan/apply (see docs/ci.md). */
  hooks: Partial<Record<HookName, string>>;
}
