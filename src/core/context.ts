/** What every command's core needs: the config, connections, the encoder, and a way to report. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config, EnvironmentConfig, HostSpec } from '../config/types.js';
import { HotupError } from '../errors.js';
import { watching, type Executor } from '../remote/executor.js';
import { ExecutorPool } from '../remote/connect.js';
import type { Emit } from './events.js';
import type { Interrupts } from './interrupt.js';
import { localHelperDir, type HelperHost } from '../helper/run.js';
import { uploadHelper } from '../helper/on-build-host.js';
import type { Host } from '../host/host.js';
import type { NodeLink } from '../host/node-link.js';
import { RemoteHost, type HostSite } from '../host/remote-host.js';
import { SessionLink } from '../host/session-link.js';

/** The Host of one host of an environment, the same one for the whole command. */
export type HostFactory = (env: EnvironmentConfig, spec: HostSpec) => Promise<Host>;

export interface CoreContext {
  config: Config;
  /** Executors of the build host. */
  pool: ExecutorPool;
  emit: Emit;
  host: HostFactory;
  /** Set while hosts change: a signal then stops at the next safe point (see interrupt.ts). */
  interrupts?: Interrupts;
}

/** Makes the link a Host reaches its node through, over that host's connection. */
export type LinkFactory = (exec: Executor, site: HostSite) => NodeLink;

/** One session helper per host for the whole command (see host/session-link.ts). */
export const sessionLink: LinkFactory = (exec, site) => new SessionLink(exec, site.root, site.app, site.env);

export function environment(config: Config, name: string): EnvironmentConfig {
  const env = config.environments[name];
  if (!env) {
    throw new HotupError('USAGE', `no environment "${name}" in ${config.file}`,
      `Use one of: ${Object.keys(config.environments).join(', ')}.`);
  }
  return env;
}

let encoderSource: string | undefined;

/** erlang-helpers/encode.fun, read once. */
export function encoder(): string {
  encoderSource ??= readFileSync(path.join(localHelperDir(), 'encode.fun'), 'utf8');
  return encoderSource;
}

/** The build host's Executor; what its builds print is shown as they print it. */
export async function buildExecutor(ctx: CoreContext): Promise<Executor> {
  const exec = await ctx.pool.get(ctx.config.build.host, ctx.config.build.ssh);
  return watching(exec, (line) => ctx.emit({ type: 'output', source: 'build', line }));
}

/** Relative to the login's home on a remote build host. */
const REMOTE_HELPER_DIR = '.hotup/helper';
const helpers = new WeakMap<CoreContext['pool'], Promise<HelperHost>>();

/**
 * The machine that decodes term files and reads release facts: the build host,
 * which has Erlang. A remote one gets the helper's files once per run.
 */
export function buildHelper(ctx: CoreContext): Promise<HelperHost> {
  let h = helpers.get(ctx.pool);
  if (!h) {
    h = (async () => {
      const exec = await buildExecutor(ctx);
      if (ctx.config.build.host === 'local') return { exec, dir: localHelperDir() };
      await uploadHelper(exec, REMOTE_HELPER_DIR);
      return { exec, dir: REMOTE_HELPER_DIR };
    })();
    helpers.set(ctx.pool, h);
  }
  return h;
}

/**
 * A command's context: one connection per machine, one Host per host (its
 * node reached through LINK), all closed by `close`.
 */
export function openContext(config: Config, emit: Emit, link: LinkFactory = sessionLink): CoreContext & { close(): Promise<void> } {
  const pool = new ExecutorPool();
  const hosts = new Map<string, Promise<RemoteHost>>();
  const host: HostFactory = (env, spec) => {
    const site: HostSite = { name: spec.raw, root: spec.deployTo ?? env.deployTo, app: config.app, env: { ...env.env, ...spec.env } };
    const key = JSON.stringify([env.name, site.name, site.root]);
    let h = hosts.get(key);
    if (!h) {
      const made = pool.get(spec, env.ssh).then((exec) => new RemoteHost(exec, link(exec, site), site));
      // A failed connection is not kept: the next use tries again.
      made.catch(() => hosts.get(key) === made && hosts.delete(key));
      hosts.set(key, made);
      h = made;
    }
    return h;
  };
  const close = async () => {
    const all = [...hosts.values()];
    hosts.clear();
    // Links first: they run over the pool's connections.
    await Promise.all(all.map((p) => p.then((h) => h.close(), () => undefined)));
    await pool.closeAll();
  };
  return { config, pool, emit, host, close };
}

/** The Host of the environment's host named NAME (as plans and statuses name it). */
export function hostNamed(ctx: CoreContext, env: EnvironmentConfig, name: string): Promise<Host> {
  const spec = env.hosts.find((h) => h.raw === name);
  if (!spec) throw new HotupError('USAGE', `environment ${env.name} lists no host ${name}`, 'Make the plan again with the current config.');
  return ctx.host(env, spec);
}
