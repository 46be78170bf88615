/**
 * hotup's commands as `hotup --help` lists them. A command's module (its
 * options and action) is imported only for the command that runs, or whose
 * help is asked for: importing them all would make `hotup --help` slow.
 */
import type { Command } from 'commander';

export interface CommandEntry {
  name: string;
  /** What follows the name in the command list (its module's arguments, `[options]` when it has any). */
  usage: string;
  description: string;
  /** The module that registers the command; entries of a module that registers several share it, in its order. */
  load: () => Promise<{ register(program: Command): void }>;
}

const fleet = () => import('./fleet.js');

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'status',
    usage: '[options] <env>',
    description: 'show what each host of an environment runs: start_erl.data, RELEASES and the live node',
    load: () => import('./status.js'),
  },
  {
    name: 'plan',
    usage: '[options] <env>',
    description: 'build the next release with a relup from the running version and show what apply would do',
    load: () => import('./plan.js'),
  },
  {
    name: 'apply',
    usage: '[options] <env>',
    description: 'plan, then upgrade every host: ship, unpack, install, make permanent, verify, health-check; roll back on failure',
    load: () => import('./apply.js'),
  },
  {
    name: 'inspect',
    usage: '[options] <artifact>',
    description: 'show the relup, the findings and the decision for a release tarball, release directory or relup file, offline',
    load: () => import('./inspect.js'),
  },
  {
    name: 'downgrade',
    usage: '[options] <env>',
    description: 'go back to the previous (or --to) installed release: hot through the relup down-path, else by restart',
    load: () => import('./downgrade.js'),
  },
  {
    name: 'lock',
    usage: '',
    description: 'the deploy lock every apply and downgrade takes on each host',
    load: fleet,
  },
  {
    name: 'history',
    usage: '[options] <env>',
    description: 'the journal of every mutating step on the hosts: who, when, from → to, step, result',
    load: fleet,
  },
];

/** The description of command NAME, for its module to register it with. */
export function descriptionOf(name: string): string {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) throw new Error(`no command ${name} in COMMANDS`);
  return entry.description;
}

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
