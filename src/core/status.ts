/** `hotup status <env>`: what each host runs, from every witness. */
import { discoverHost, type HostStatus } from '../node/discover.js';
import { runStep } from './step.js';
import { environment, type CoreContext } from './context.js';

export async function discoverEnvironment(ctx: CoreContext, envName: string): Promise<HostStatus[]> {
  const env = environment(ctx.config, envName);
  return Promise.all(
    env.hosts.map((spec) =>
      runStep(ctx.emit, 'discover', spec.raw, async () => {
        const status = await discoverHost(await ctx.host(env, spec));
        return { value: status, detail: status.running ? `runs ${status.running}` : 'no running version' };
      }),
    ),
  );
}

export async function status(ctx: CoreContext, envName: string): Promise<HostStatus[]> {
  const hosts = await discoverEnvironment(ctx, envName);
  ctx.emit({ type: 'status', hosts });
  return hosts;
}
