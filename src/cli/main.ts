#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { register as registerStatus } from './status.js';
import { register as registerPlan } from './plan.js';
import { register as registerApply } from './apply.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('hotup')
  .description('hot code upgrades of Erlang and Elixir releases, with a full-restart fallback')
  .version(pkg.version)
  .option('-c, --config <path>', 'hotup.yml to use (default: found upward from the current directory)')
  .showHelpAfterError();

registerStatus(program);
registerPlan(program);
registerApply(program);

await program.parseAsync(process.argv);
