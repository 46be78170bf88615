/** One executor per target, opened on first use and reused; all closed together. */
import type { HostSpec, SshSettings } from '../config/types.js';
import type { Executor } from './executor.js';
import { LocalExecutor } from './local.js';
import { SshExecutor } from './ssh.js';

export class ExecutorPool {
  private readonly open = new Map<string, Promise<Executor>>();

  get(target: 'local' | HostSpec, ssh: SshSettings): Promise<Executor> {
    const key = target === 'local' ? 'local' : `${target.user}@${target.host}:${target.port}`;
    let exec = this.open.get(key);
    if (!exec) {
      exec = target === 'local' ? Promise.resolve(new LocalExecutor()) : SshExecutor.connect(target, ssh);
      // A failed connection is not cached: the next use tries again.
      exec.catch(() => this.open.delete(key));
      this.open.set(key, exec);
    }
    return exec;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((p) => p.then((e) => e.close()).catch(() => undefined)));
  }
}
