/** Opening executors: one per target and settings, opened on first use, reused, all closed together. */
import type { HostSpec, SshSettings } from '../config/types.js';
import type { Executor } from './executor.js';
import { LocalExecutor } from './local.js';
import { SshExecutor } from './ssh.js';

/** `local` runs on this machine; a host is reached over SSH. Either way `ssh.commandTimeoutMs` is the default command timeout. */
export async function connectExecutor(target: 'local' | HostSpec, ssh: SshSettings): Promise<Executor> {
  return target === 'local' ? new LocalExecutor(ssh.commandTimeoutMs) : SshExecutor.connect(target, ssh);
}

export class ExecutorPool {
  private readonly open = new Map<string, Promise<Executor>>();

  get(target: 'local' | HostSpec, ssh: SshSettings): Promise<Executor> {
    // Keyed by settings too: a host reached with another key, known_hosts or ssh config file is another connection.
    const where = target === 'local' ? 'local' : [target.user, target.host, target.port, target.defaulted ?? null];
    const key = JSON.stringify([where, ssh.identity ?? null, ssh.knownHosts ?? null, ssh.connectTimeoutMs ?? null, ssh.commandTimeoutMs, ssh.config ?? null]);
    const known = this.open.get(key);
    if (known) return known;
    const exec = connectExecutor(target, ssh);
    // A failed connection is not kept: the next use tries again.
    exec.catch(() => this.open.get(key) === exec && this.open.delete(key));
    this.open.set(key, exec);
    return exec;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((p) => p.then((e) => e.close(), () => undefined)));
  }
}
