import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkHealth, healthCheckFor, probeOnce } from '../../src/health/probe.js';
import { LocalExecutor } from '../../src/remote/local.js';
import { measureOutage } from '../../src/health/outage.js';
import { waitFor } from '../support/wait.js';

const exec = new LocalExecutor();
let tcp: net.Server;
let web: http.Server;
let tcpPort: number;
let webPort: number;
let healthy = true;
/** Requests the HTTP server has answered unhealthy so far. */
let refused = 0;

beforeAll(async () => {
  tcp = net.createServer((s) => s.end());
  web = http.createServer((req, res) => {
    if (!healthy) refused++;
    res.statusCode = healthy ? 200 : 503;
    res.end(req.url);
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  tcpPort = (tcp.address() as net.AddressInfo).port;
  webPort = (web.address() as net.AddressInfo).port;
});

afterAll(() => {
  tcp.close();
  web.close();
});

describe('health probes', () => {
  test('command on the host: exit status decides, with the host env', async () => {
    await expect(probeOnce({ kind: 'command', command: 'test "$X" = yes' }, exec, 5_000, { X: 'yes' })).resolves.toBeUndefined();
    await expect(probeOnce({ kind: 'command', command: 'echo broken >&2; exit 2' }, exec, 5_000)).rejects.toThrow(/exit 2: broken/);
  });

  test('TCP connect', async () => {
    await expect(probeOnce({ kind: 'tcp', host: '127.0.0.1', port: tcpPort }, exec, 2_000)).resolves.toBeUndefined();
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as net.AddressInfo).port;
    closed.close();
    await expect(probeOnce({ kind: 'tcp', host: '127.0.0.1', port }, exec, 2_000)).rejects.toThrow(/ECONNREFUSED/);
  });

  test('HTTP GET: 2xx is healthy, anything else is not', async () => {
    healthy = true;
    await expect(probeOnce({ kind: 'http', url: `http://127.0.0.1:${webPort}/health` }, exec, 2_000)).resolves.toBeUndefined();
    healthy = false;
    await expect(probeOnce({ kind: 'http', url: `http://127.0.0.1:${webPort}/health` }, exec, 2_000)).rejects.toThrow(/HTTP 503/);
  });

  test('{host} in a URL and a TCP probe aim at each host', () => {
    const host = { raw: 'deploy@10.1.2.3', user: 'deploy', host: '10.1.2.3', port: 22 };
    expect(healthCheckFor({ probe: { kind: 'http', url: 'http://{host}:4000/h' }, timeoutMs: 1, retries: 0, intervalMs: 1 }, host).probe)
      .toEqual({ kind: 'http', url: 'http://10.1.2.3:4000/h' });
    expect(healthCheckFor({ probe: { kind: 'tcp', port: 4000 }, timeoutMs: 1, retries: 0, intervalMs: 1 }, host).probe)
      .toEqual({ kind: 'tcp', host: '10.1.2.3', port: 4000 });
  });

  test('retries, then a clear failure naming the probe', async () => {
    healthy = false;
    const check = { probe: { kind: 'http' as const, url: `http://127.0.0.1:${webPort}/` }, timeoutMs: 1_000, retries: 2, intervalMs: 10 };
    await expect(checkHealth(check, exec)).rejects.toMatchObject({ code: 'HEALTH_FAILED', message: expect.stringMatching(/after 3 attempts \(GET http/) });
    // Healthy again once the check has been refused twice: it keeps trying and succeeds on a later attempt.
    const before = refused;
    const recovering = checkHealth({ ...check, retries: 20, intervalMs: 20 }, exec);
    await waitFor('two refused attempts', () => refused >= before + 2, { timeoutMs: 10_000, intervalMs: 5 });
    healthy = true;
    await expect(recovering).resolves.toBeGreaterThan(2);
  });
});

describe('measureOutage', () => {
  test('downtime runs from the last good probe to the first good one after', async () => {
    let up = true;
    let probes = 0;
    let failed = 0;
    const down = { from: 0, to: 0 };
    const outage = await measureOutage(async () => {
      probes++;
      if (!up) failed++;
      return up;
    }, async () => {
      await waitFor('good probes before the outage', () => probes >= 3, { intervalMs: 5 });
      up = false;
      down.from = Date.now();
      await waitFor('failed probes during the outage', () => failed >= 5, { intervalMs: 5 });
      up = true;
      down.to = Date.now();
    }, { intervalMs: 20 });
    // From the last good probe (before the service went down) to the first good one (after it came back):
    // at least the outage, at most the outage plus a probe interval on each side and some scheduling.
    const outageMs = down.to - down.from;
    expect(outage.downtimeMs).toBeGreaterThanOrEqual(outageMs);
    expect(outage.downtimeMs).toBeLessThan(outageMs + 1_000);
  });

  test('no failed probe, no downtime', async () => {
    let probes = 0;
    const outage = await measureOutage(async () => {
      probes++;
      return true;
    }, () => waitFor('a few probes', () => probes >= 3, { intervalMs: 5 }).then(() => undefined), { intervalMs: 20 });
    expect(outage.downtimeMs).toBe(0);
    expect(outage.probes).toBeGreaterThanOrEqual(3);
  });
});
