/** Health checks: a command on the host, a TCP connect, or an HTTP GET; with timeout and retries. */
import net from 'node:net';
import { HotupError, isHotupError } from '../errors.js';
import type { Host } from '../host/host.js';
import type { HealthSettings, HostSpec } from '../config/types.js';

export type HealthProbe =
  | { kind: 'command'; command: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'http'; url: string };

export interface HealthCheck {
  probe: HealthProbe;
  timeoutMs: number;
  retries: number;
  intervalMs: number;
}

export function describeProbe(p: HealthProbe): string {
  switch (p.kind) {
    case 'command':
      return `\`${p.command}\` on the host`;
    case 'tcp':
      return `TCP connect to ${p.host}:${p.port}`;
    case 'http':
      return `GET ${p.url}`;
  }
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve();
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** One attempt: resolves when healthy, rejects with why not. A command probe runs on the host, with ENV. */
export async function probeOnce(p: HealthProbe, host: Pick<Host, 'run'>, timeoutMs: number, env: Record<string, string> = {}): Promise<void> {
  switch (p.kind) {
    case 'command': {
      const r = await host.run(['sh', '-c', p.command], { timeoutMs, env });
      if (r.code !== 0) throw new Error(`exit ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 200)}` : ''}`);
      return;
    }
    case 'tcp':
      return tcpConnect(p.host, p.port, timeoutMs);
    case 'http': {
      const res = await fetch(p.url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return;
    }
  }
}

/** Healthy within the retries, or HotupError('HEALTH_FAILED') with the last reason. ENV: the host's variables. */
export async function checkHealth(check: HealthCheck, host: Pick<Host, 'run'>, env: Record<string, string> = {}): Promise<number> {
  let last = '';
  for (let attempt = 1; attempt <= check.retries + 1; attempt++) {
    try {
      await probeOnce(check.probe, host, check.timeoutMs, env);
      return attempt;
    } catch (e) {
      // No answer from the host is not an unhealthy node.
      if (isHotupError(e) && e.code === 'LINK_LOST') throw e;
      last = (e as Error).message;
      if (attempt <= check.retries) await new Promise((r) => setTimeout(r, check.intervalMs));
    }
  }
  throw new HotupError('HEALTH_FAILED', `health check failed after ${check.retries + 1} attempts (${describeProbe(check.probe)}): ${last}`,
    'Look at the node\'s logs for why it is unhealthy.');
}

/** The configured check, aimed at one host: TCP and `{host}` in URLs mean that host's address. */
export function healthCheckFor(settings: HealthSettings, host: HostSpec): HealthCheck {
  const p = settings.probe;
  const probe: HealthProbe =
    p.kind === 'command' ? p : p.kind === 'tcp' ? { kind: 'tcp', host: host.host, port: p.port } : { kind: 'http', url: p.url.replaceAll('{host}', host.host) };
  return { probe, timeoutMs: settings.timeoutMs, retries: settings.retries, intervalMs: settings.intervalMs };
}
