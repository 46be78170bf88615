/**
 * What `hotup --help` says of each command: its usage and description. Apart
 * from the command modules' loaders (src/cli/commands.ts), so a command module
 * can take its description from here without importing the table that loads it.
 */
export interface CommandText {
  /** What follows the name in the command list (its module's arguments, `[options]` when it has any). */
  usage: string;
  description: string;
}

export const TEXTS = {
  init: {
    usage: '[options]',
    description: 'write a hotup.yml for the rebar3 or mix project here: its release, the hosts and where the release lives on them',
  },
  status: {
    usage: '[options] [env]',
    description: 'show what each host of an environment runs: start_erl.data, RELEASES and the live node',
  },
  plan: {
    usage: '[options] [env]',
    description: 'build the next release with a relup from the running version and show what apply would do',
  },
  apply: {
    usage: '[options] [env]',
    description: 'plan, then upgrade every host: ship, unpack, install, make permanent, verify, health-check; roll back on failure',
  },
  inspect: {
    usage: '[options] <artifact>',
    description: 'show the relup, the findings and the decision for a release tarball, release directory or relup file, offline',
  },
  downgrade: {
    usage: '[options] [env]',
    description: 'go back to the previous (or --to) installed release: hot through the relup down-path, else by restart',
  },
  prune: {
    usage: '[options] [env]',
    description: 'remove old releases from every host through release_handler, keeping the running, permanent and previous ones and the newest --keep',
  },
  lock: {
    usage: '',
    description: 'the deploy lock every apply and downgrade takes on each host',
  },
  history: {
    usage: '[options] [env]',
    description: 'the journal of every mutating step on the hosts: who, when, from → to, step, result',
  },
} as const satisfies Record<string, CommandText>;

export type CommandName = keyof typeof TEXTS;

/** The description of command NAME, for its module to register it with. */
export function descriptionOf(name: CommandName): string {
  return TEXTS[name].description;
}
