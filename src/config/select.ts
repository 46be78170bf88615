/**
 * What a command acts on: the environment named on the command line (or the only one), narrowed to
 * the hosts named with --host. Every flow reads its hosts from the config it is given, so the
 * narrowed config is what the lock, the fleet checks and the upgrade all see. Pure.
 */
import { HotupError } from '../errors.js';
import type { Config, EnvironmentConfig, HostSpec } from './types.js';

export interface Target {
  /** The config with only the chosen environment's chosen hosts in it. */
  config: Config;
  env: string;
}

/** ENV_ARG, or the only environment; then the hosts named in HOST_NAMES (all when none are named). */
export function selectTarget(config: Config, envArg: string | undefined, hostNames: readonly string[]): Target {
  const names = Object.keys(config.environments);
  const envName = envArg ?? (names.length === 1 ? names[0]! : undefined);
  if (envName === undefined) {
    throw new HotupError('USAGE', `${config.file} defines ${names.length} environments, so the command needs one: ${names.join(', ')}`,
      `Name it after the command, for example: hotup status ${names[0] ?? 'prod'}.`);
  }
  const env = config.environments[envName];
  if (!env) {
    throw new HotupError('USAGE', `no environment "${envName}" in ${config.file}`, `Use one of: ${names.join(', ')}.`);
  }
  if (hostNames.length === 0) return { config, env: envName };
  const chosen: HostSpec[] = [];
  for (const name of hostNames) {
    const h = hostCalled(env, name);
    if (!chosen.includes(h)) chosen.push(h);
  }
  // In the environment's order, whatever the order of the flags: a rollout goes the way the config lists hosts.
  const hosts = env.hosts.filter((h) => chosen.includes(h));
  return { config: { ...config, environments: { ...config.environments, [envName]: { ...env, hosts } } }, env: envName };
}

/**
 * The host NAME means: the one written so in the config (or its inventory name); else the one whose
 * address, or user@address, it is, when only one host has it.
 */
function hostCalled(env: EnvironmentConfig, name: string): HostSpec {
  const exact = env.hosts.find((h) => h.raw === name);
  if (exact) return exact;
  const byAddress = env.hosts.filter((h) => h.host.toLowerCase() === name.toLowerCase() || `${h.user}@${h.host}`.toLowerCase() === name.toLowerCase());
  if (byAddress.length === 1) return byAddress[0]!;
  const listed = env.hosts.map((h) => h.raw).join(', ');
  throw new HotupError('USAGE',
    byAddress.length > 1
      ? `--host ${name} matches ${byAddress.length} hosts of environment ${env.name}: ${byAddress.map((h) => h.raw).join(', ')}`
      : `--host ${name} is not a host of environment ${env.name}; its hosts are: ${listed}`,
    'Name a host as hotup.yml (or the inventory) writes it; `hotup status` lists them.');
}
