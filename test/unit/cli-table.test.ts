/** The command table `hotup --help` lists from says what the command modules register, and finds the command an argv runs. */
import { Command, Help } from 'commander';
import { expect, test } from 'vitest';
import { COMMANDS, commandIn } from '../../src/cli/commands.js';

test('every command module registers exactly the commands of the table, with its usage and description', async () => {
  const program = new Command('hotup');
  for (const load of new Set(COMMANDS.map((c) => c.load))) (await load()).register(program);
  const help = new Help();
  expect(program.commands.map((c) => [help.subcommandTerm(c), c.description()]))
    .toEqual(COMMANDS.map((c) => [`${c.name} ${c.usage}`.trim(), c.description]));
});

test.each([
  [['apply', 'prod'], 'apply'],
  [['-c', 'hotup.yml', 'status', 'prod'], 'status'],
  [['--config', 'history', 'lock', 'status', 'prod'], 'lock'],
  [['--config=hotup.yml', 'history', 'prod'], 'history'],
  [['help', 'downgrade'], 'downgrade'],
  [['-c', 'x', 'help', 'lock'], 'lock'],
  [['--', 'inspect', 'x'], 'inspect'],
  [['--help'], undefined],
  [['-V'], undefined],
  [[], undefined],
  [['help'], undefined],
])('commandIn(%j) is %s', (args, name) => {
  expect(commandIn(args)).toBe(name);
});
