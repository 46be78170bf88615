#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes.js';
import { register as registerStatus } from './status.js';
import { register as registerPlan } from './plan.js';
import { register as registerApply } from './apply.js';
import { register as registerInspect } from './inspect.js';
import { register as registerDowngrade } from './downgrade.js';
import { register as registerFleet } from './fleet.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('hotup')
  .description('hot code upgrades of Erlang and Elixir releases, with a full-restart fallback')
  .version(pkg.version)
  .option('-c, --config <path>', 'hotup.yml to use (default: found upward from the current directory)')
  .showHelpAfterError()
  // Usage errors exit with EXIT.usage instead of commander's default 1.
  .exitOverride();

registerStatus(program);
registerPlan(program);
registerApply(program);
registerInspect(program);
registerDowngrade(program);
registerFleet(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (!(e instanceof CommanderError)) throw e;
  const informational = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code);
  process.exitCode = informational ? EXIT.ok : EXIT.usage;
}
