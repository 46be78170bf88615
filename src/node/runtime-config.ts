/**
 * A mix release's runtime configuration (config/runtime.exs, or any config
 * provider) for a hot upgrade. Mix evaluates it at boot, so the sys.config in
 * the tarball is not what a node of that release runs with; release_handler's
 * install hands that file to config_change/3. So before install the host
 * evaluates the target release's providers in a throwaway VM with the
 * target's code (hotup_helper.escript runtime-config), in the environment a
 * command of the deploy user gets over SSH plus the host's `env:` from
 * hotup.yml, and writes the result into releases/<vsn>/sys.config, keeping
 * Mix's own as sys.config.build. After install the build-time file goes back:
 * the next boot evaluates runtime.exs once, itself, as it always does.
 */
import { HotupError } from '../errors.js';
import { renameIfPresentArgv } from '../commands/files.js';
import { erlAtom } from '../plan/appup-gen.js';
import { atomOf, isAtom, printTerm, textOf, type Term } from '../terms/etf.js';
import { field } from '../terms/map.js';
import { listItems, tupleItems } from '../terms/shape.js';
import type { Host } from '../host/host.js';

export const RULE = 'elixir/runtime-config';

/** The application environment keys of the evaluated configuration: `app.key` → md5 of the value. */
export interface Evaluated {
  keys: Map<string, string>;
}

const relDir = (host: Host, vsn: string) => `${host.root}/releases/${vsn}`;

function keyName(app: Term, key: Term): string {
  return `${atomOf(app) ?? printTerm(app)}.${atomOf(key) ?? printTerm(key)}`;
}

/** Whether release VSN on the host names config providers in its build-time sys.config. */
export async function hasProviders(host: Host, vsn: string): Promise<boolean> {
  const text = (await host.read(`${relDir(host, vsn)}/sys.config.build`)) ?? (await host.read(`${relDir(host, vsn)}/sys.config`));
  return text?.includes('config_provider_init') ?? false;
}

/**
 * Evaluates VSN's config providers on the host and writes the result into its
 * sys.config; null when the release has none. Failures leave the host as it
 * was (nothing written) and say what to do.
 */
export async function evaluateRuntimeConfig(host: Host, vsn: string): Promise<Evaluated | null> {
  const r = await host.helper('runtime-config', [host.root, vsn]);
  if (isAtom(r, 'none')) return null;
  const restart = `\`hotup apply --restart\` boots ${vsn}, whose start evaluates runtime.exs in the service's own environment.`;
  if (r.kind === 'tuple' && isAtom(r.items[0], 'failed')) {
    throw new HotupError('UPGRADE_FAILED', `[${RULE}] the runtime configuration of ${vsn} (config/runtime.exs) failed on the host: ${textOf(r.items[1]!) ?? printTerm(r.items[1]!)}`,
      `Nothing was changed. Give the host's env: in hotup.yml what the release's service has in its environment (hotup evaluates it with those variables and the SSH login's), or ${restart}`,
      { host: host.name, untouched: true });
  }
  if (r.kind === 'tuple' && isAtom(r.items[0], 'unwritable')) {
    const [, app, key, kind] = r.items;
    throw new HotupError('UPGRADE_FAILED', `[${RULE}] the runtime configuration of ${vsn} sets ${keyName(app!, key!)} to a value holding a ${textOf(kind!) ?? printTerm(kind!)}, which sys.config cannot hold, so release_handler cannot be given it`,
      `Nothing was changed. ${restart}`, { host: host.name, untouched: true });
  }
  const keys = new Map<string, string>();
  for (const k of listItems(field(r, 'keys', 'runtime-config'), 'runtime-config keys')) {
    const [app, key, md5] = tupleItems(k, 3, 'runtime-config key');
    keys.set(keyName(app!, key!), textOf(md5!) ?? '');
  }
  return { keys };
}

/** Mix's plumbing, not the application's configuration. */
const PLUMBING = new Set(['elixir.config_provider_init']);

/** The keys of EVALUATED whose value differs from what the live node's application environment holds. */
export async function changedKeys(host: Host, evaluated: Evaluated): Promise<string[]> {
  const apps = [...new Set([...evaluated.keys.keys()].map((k) => k.slice(0, k.indexOf('.'))))];
  const expr = `[{A, K, binary:encode_hex(erlang:md5(term_to_binary(V, [deterministic])))} || A <- [${apps.map(erlAtom).join(', ')}], {K, V} <- application:get_all_env(A)]`;
  const running = new Map<string, string>();
  for (const t of listItems(await host.call({ op: 'eval', expr }), 'application environment')) {
    const [app, key, md5] = tupleItems(t, 3, 'application environment entry');
    running.set(keyName(app!, key!), textOf(md5!) ?? '');
  }
  return [...evaluated.keys].filter(([k, md5]) => !PLUMBING.has(k) && running.get(k) !== md5).map(([k]) => k).sort();
}

/** Mix's build-time sys.config back in place (after install, or after a dry run): the next boot evaluates runtime.exs itself. */
export async function restoreBuildConfig(host: Host, vsn: string): Promise<void> {
  await host.must(renameIfPresentArgv(`${relDir(host, vsn)}/sys.config.build`, `${relDir(host, vsn)}/sys.config`), `restoring releases/${vsn}/sys.config`, {
    timeoutMs: 30_000,
    remedy: `Move ${relDir(host, vsn)}/sys.config.build back over sys.config by hand, or the next boot evaluates runtime.exs over the configuration hotup evaluated.`,
  });
}

/** How the changed keys read in a step's detail: keys only, never values (they may be secrets). */
export function describeChanges(changed: string[]): string {
  return changed.length ? `keys whose value changes: ${changed.join(', ')} (values not shown)` : 'no key changes value';
}
