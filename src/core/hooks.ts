/** Hooks: commands from hotup.yml run on this machine at fixed points, with HOTUP_* variables; a failure aborts. */
import { HotupError } from '../errors.js';
import { LocalExecutor } from '../remote/local.js';
import type { HookName } from '../config/types.js';

export interface HookVars {
  env: string;
  app: string;
  host?: string;
  from?: string | null;
  to?: string | null;
}

function variables(v: HookVars): Record<string, string> {
  return {
    HOTUP_ENV: v.env,
    HOTUP_APP: v.app,
    ...(v.host ? { HOTUP_HOST: v.host } : {}),
    ...(v.from ? { HOTUP_FROM: v.from } : {}),
    ...(v.to ? { HOTUP_TO: v.to } : {}),
  };
}

export async function runHook(name: HookName, command: string | undefined, vars: HookVars, cwd: string): Promise<string | null> {
  if (!command) return null;
  const r = await new LocalExecutor().run(['sh', '-c', command], { cwd, env: variables(vars), timeoutMs: 30 * 60_000 });
  if (r.code !== 0) {
    throw new HotupError('HOOK_FAILED', `the ${name} hook (\`${command}\`) failed with exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(-400)}`,
      `Fix the hook or the step it guards; hotup stopped before going on${vars.host ? ` with ${vars.host}` : ''}.`, vars.host ? { host: vars.host } : {});
  }
  return r.stdout.trim();
}
