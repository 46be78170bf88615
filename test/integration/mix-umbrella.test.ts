/**
 * An umbrella project (apps/shop_core, apps/shop_api) with two releases in
 * mix.exs, include_executables_for, and the node's name and cookie set in
 * rel/env.sh.eex: hotup builds the release hotup.yml names, finds the node as
 * bin/shop_all does (through releases/<vsn>/env.sh), upgrades it hot with the
 * GenServer state migrated and the runtime.exs value (the port) intact, and
 * goes back down.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMixHost, type MixHost } from '../support/shop-host.js';
import { clientLoop, freePort, request } from '../support/shop-node.js';
import { checkoutUmbrella } from '../support/shop-project.js';
import { buildMixUmbrella } from '../support/fixture-build.js';
import { hotup, jsonOf } from '../support/cli.js';

const RELEASE = 'shop_all';
let host: MixHost | undefined;
let project: string;
let port: number;
let env: Record<string, string>;
const run = (args: string[]) => hotup(args, { cwd: project });

beforeAll(async () => {
  port = await freePort();
  // rel/env.sh.eex makes RELEASE_NODE and RELEASE_COOKIE from SHOP_NODE; runtime.exs reads SHOP_PORT.
  env = { SHOP_NODE: `shop_all_${process.pid}`, SHOP_PORT: String(port) };
  host = await startMixHost('umbrella', await buildMixUmbrella('v1', RELEASE), RELEASE, env);
  ({ project } = host);
  await request(port, 'add 40');
  await request(port, 'add 2');
  await host.writeConfig();
  await checkoutUmbrella(project, 'v2');
});

afterAll(async () => {
  await host?.stop();
});

describe('umbrella project', () => {
  test('apply: the named release of the umbrella goes hot, node and cookie found through env.sh; state migrated; runtime port intact', async () => {
    const loop = clientLoop(port, { maxMs: 300_000 });
    const r = await run(['apply', 'prod', '--yes', '--json']);
    const calls = await loop.stop();
    expect(r.code, r.stderr).toBe(0);
    const doc = jsonOf(r);
    expect(doc.hosts[0]).toMatchObject({ from: '0.1.0', to: '0.2.0', execution: 'hot', outcome: 'upgraded' });
    // Only shop_core changed: one appup, for it.
    expect(doc.events.find((e: { type: string }) => e.type === 'plan').plan.target.appups.map((a: { app: string }) => a.app)).toEqual(['shop_core']);
    expect(calls.failures).toEqual([]);
    expect(await request(port, 'vsn')).toBe('core-v2');
    expect(await request(port, 'state')).toMatch(new RegExp(`^total=${42 + calls.added} adds=\\d+$`));
    // The listener still serves on the port runtime.exs set, and the application environment still says so.
    expect(await request(port, 'env port')).toBe(String(port));
    console.log(`umbrella apply: ${calls.ok} client calls ok, ${calls.failures.length} failed`);
  });

  test('downgrade goes back hot', async () => {
    const r = await run(['downgrade', 'prod', '--yes', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(jsonOf(r).hosts[0]).toMatchObject({ from: '0.2.0', to: '0.1.0', execution: 'hot', outcome: 'upgraded' });
    expect(await request(port, 'vsn')).toBe('core-v1');
    expect(await request(port, 'state')).toMatch(/^\d+$/);
    expect(await request(port, 'env port')).toBe(String(port));
  });
});
