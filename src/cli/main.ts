#!/usr/bin/env node
import { Command, CommanderError, Help } from 'commander';
import { EXIT } from '../report/exit-codes.js';
import { COMMANDS, commandIn } from './commands.js';
import { PACKAGE_VERSION } from '../package-version.js';

const program = new Command('hotup')
  .description('hot code upgrades of Erlang and Elixir releases, with a full-restart fallback')
  .version(PACKAGE_VERSION)
  .option('-c, --config <path>', 'hotup.yml to use (default: found upward from the current directory)')
  // hotup's own options come before the command: `apply prod --version X` is then an unknown option of apply, not hotup's version.
  .enablePositionalOptions()
  .showHelpAfterError()
  // Usage errors exit with EXIT.usage instead of commander's default 1.
  .exitOverride();

// Only the command that runs (or whose help is asked for) is registered from
// its module; the others are listed from the table, for `hotup --help`.
const wanted = COMMANDS.find((c) => c.name === commandIn(process.argv.slice(2)));
const listed = new Map<Command, string>();
for (const entry of COMMANDS) {
  if (program.commands.some((c) => c.name() === entry.name)) continue;
  if (entry.load === wanted?.load) {
    (await entry.load()).register(program);
    continue;
  }
  const stub = program.command(entry.name).description(entry.description).helpOption(false).allowUnknownOption().allowExcessArguments()
    .action(() => {
      throw new Error(`hotup ${entry.name} ran without its module: commandIn() disagrees with commander about ${JSON.stringify(process.argv.slice(2))}`);
    });
  listed.set(stub, `${entry.name} ${entry.usage}`.trim());
}
const help = new Help();
program.configureHelp({ subcommandTerm: (cmd) => listed.get(cmd) ?? help.subcommandTerm(cmd) });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (!(e instanceof CommanderError)) throw e;
  const informational = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code);
  process.exitCode = informational ? EXIT.ok : EXIT.usage;
}
