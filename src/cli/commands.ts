/**
 * hotup's commands as `hotup --help` lists them. A command's module (its
 * options and action) is imported only for the command that runs, or whose
 * help is asked for: importing them all would make `hotup --help` slow.
 */
import type { Command } from 'commander';
import { TEXTS, type CommandName, type CommandText } from './descriptions.js';

export interface CommandEntry extends CommandText {
  name: CommandName;
  /** The module that registers the command; entries of a module that registers several share it, in its order. */
  load: () => Promise<{ register(program: Command): void }>;
}

const fleet = () => import('./fleet.js');

const LOADERS: Record<CommandName, CommandEntry['load']> = {
  init: () => import('./init.js'),
  status: () => import('./status.js'),
  plan: () => import('./plan.js'),
  apply: () => import('./apply.js'),
  inspect: () => import('./inspect.js'),
  downgrade: () => import('./downgrade.js'),
  prune: () => import('./prune.js'),
  lock: fleet,
  history: fleet,
};

export const COMMANDS: readonly CommandEntry[] = (Object.keys(TEXTS) as CommandName[]).map((name) => ({ name, ...TEXTS[name], load: LOADERS[name] }));

/**
 * The command ARGS (hotup's arguments) run, or whose help they ask for: the
 * first operand, or the one after `help`; hotup's own options (and the value
 * of --config) come before it, as commander reads them.
 */
export function commandIn(args: readonly string[]): string | undefined {
  let i = 0;
  while (i < args.length && args[i] !== '--' && args[i]!.startsWith('-')) i += args[i] === '-c' || args[i] === '--config' ? 2 : 1;
  if (args[i] === '--') i++;
  return args[i] === 'help' ? args[i + 1] : args[i];
}
