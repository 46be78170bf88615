import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkHealth, healthCheckFor, probeOnce } from '../../src/health/probe.js';
import { LocalExecutor } from '../../src/remote/local.js';
import { measureOutage } from '../../src/health/outage.js';

const exec = new LocalExecutor();
let tcp: net.Server;
let web: http.Server;
let tcpPort: number;
let webPort: number;
let healthy = true;

beforeAll(async () => {
  tcp = net.createServer((s) => s.end());
  web = http.createServer((req, res) => {
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
    setTimeout(() => (healthy = true), 50);
    await expect(checkHealth({ ...check, retries: 20, intervalMs: 20 }, exec)).resolves.toBeGreaterThan(1);
  });
});

describe('measureOutage', () => {
  test('downtime runs from the last good probe to the first good one after', async () => {
    let up = true;
    const outage = await measureOutage(async () => up, async () => {
      await new Promise((r) => setTimeout(r, 100));
      up = false;
      await new Promise((r) => setTimeout(r, 400));
      up = true;
    }, { intervalMs: 20 });
    expect(outage.downtimeMs).toBeGreaterThanOrEqual(350);
    expect(outage.downtimeMs).toBeLessThan(1_000);
  });

  test('no failed probe, no downtime', async () => {
    const outage = await measureOutage(async () => true, () => new Promise((r) => setTimeout(r, 100)), { intervalMs: 20 });
    expect(outage.downtimeMs).toBe(0);
  });
});
