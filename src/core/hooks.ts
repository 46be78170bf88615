/** Hooks: commands from hotup.yml run on this machine at fixed points, with HOTUP_* variables; a failure aborts. */
import { HotupError } from '../errors.js';
import { LocalExecutor } from '../remote/local.js';
import { outputTail } from '../remote/outcome.js';
import type { HookName } from '../config/types.js';
import type { Emit } from './events.js';
import { runStep } from './step.js';

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

/** Runs hook NAME as a step of its host (the journal keeps what it printed); its output is shown as it runs. */
export async function runHook(emit: Emit, name: HookName, command: string | undefined, vars: HookVars, cwd: string): Promise<void> {
  if (!command) return;
  const host = vars.host;
  await runStep(emit, 'hook', host, async () => {
    const onLine = (line: string) => emit({ type: 'output', source: 'hook', ...(host ? { host } : {}), line });
    const r = await new LocalExecutor().run(['sh', '-c', command], { cwd, env: variables(vars), timeoutMs: 30 * 60_000, onLine });
    if (r.code !== 0) {
      throw new HotupError('HOOK_FAILED', `the ${name} hook (\`${command}\`) failed with exit ${r.code}: ${outputTail(r, 10)}`,
        `Fix the hook or the step it guards; hotup stopped before going on${host ? ` with ${host}` : ''}.`, host ? { host } : {});
    }
    return { value: undefined, detail: name };
  });
}
