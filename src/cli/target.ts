/** The argument and option of every command that acts on the hosts of an environment. */
import type { Command } from 'commander';

/** Adds `[env]` (default: the only environment) and `--host <name>` (repeatable) to CMD. */
export function targeted(cmd: Command): Command {
  return cmd
    .argument('[env]', 'environment from hotup.yml (default: the only one it defines)')
    .option('--host <name>', 'only this host of the environment, as hotup.yml or the inventory names it (repeatable)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
}
