/** What every command's core needs: the config, connections, the encoder, and a way to report. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config, EnvironmentConfig, HostSpec } from '../config/types.js';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import type { ExecutorPool } from '../remote/connect.js';
import type { Emit } from './events.js';
import { localHelperDir, type HelperHost } from '../helper/run.js';
import { uploadHelper } from '../helper/on-host.js';
import type { NodeTarget } from '../node/live.js';

export interface CoreContext {
  config: Config;
  pool: ExecutorPool;
  emit: Emit;
}

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

export async function buildExecutor(ctx: CoreContext): Promise<Executor> {
  return ctx.pool.get(ctx.config.build.host, ctx.config.build.ssh);
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

export async function nodeTarget(ctx: CoreContext, env: EnvironmentConfig, host: HostSpec): Promise<NodeTarget> {
  const exec = await ctx.pool.get(host, env.ssh);
  return { exec, root: host.deployTo ?? env.deployTo, app: ctx.config.app, flavor: ctx.config.build.node, encoder: encoder(), env: { ...env.env, ...host.env } };
}
