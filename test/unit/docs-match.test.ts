/**
 * The reference pages say what the code does: every command option is in docs/cli.md and every option
 * there exists; every config key is in docs/config.md and every key its tables list exists; every error
 * code hotup can print is explained in the docs, and the docs name no code that does not exist.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { configSchema } from '../../src/config/schema.js';

const ROOT = path.resolve(__dirname, '../..');
const doc = (name: string) => readFileSync(path.join(ROOT, 'docs', name), 'utf8');

/** Every command as registered, with its long options; hotup's own options under ''. */
async function commandOptions(): Promise<Map<string, string[]>> {
  const program = new Command('hotup').option('-c, --config <path>');
  for (const load of new Set(COMMANDS.map((c) => c.load))) (await load()).register(program);
  const all = new Map<string, string[]>([['', ['--config', '--help', '--version']]]);
  const walk = (cmd: Command, prefix: string) => {
    for (const sub of cmd.commands) {
      const name = `${prefix}${sub.name()}`;
      all.set(name, sub.options.map((o) => o.long!).filter(Boolean));
      walk(sub, `${name} `);
    }
  };
  walk(program, '');
  return all;
}

/** The key paths of a zod schema: `a.b`, records as `<name>`, lists as their items' keys. */
function keyPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as unknown as { _zod: { def: { type: string } & Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return keyPaths(def.innerType as z.ZodType, prefix);
    case 'pipe':
      return keyPaths(def.in as z.ZodType, prefix);
    case 'array':
      return keyPaths(def.element as z.ZodType, prefix);
    case 'record':
      // A map of names to strings (env) ends here; a map of names to sections goes on.
      return keyPaths(def.valueType as z.ZodType, `${prefix}<name>.`);
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([k, v]) => [`${prefix}${k}`, ...keyPaths(v, `${prefix}${k}.`)]);
    default:
      return [];
  }
}

/** The first cells of the tables under each `## `/`### ` heading of a page, backticks removed. */
function tableKeys(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let heading = '';
  let header = true;
  for (const line of text.split('\n')) {
    if (/^#{2,3} /.test(line)) heading = line.replace(/^#+ /, '');
    if (!line.startsWith('|')) {
      header = true;
      continue;
    }
    const first = line.split('|')[1]!.trim();
    if (header) {
      header = first !== 'key';
      if (first === 'key') out.set(heading, out.get(heading) ?? []);
      continue;
    }
    if (/^-+$/.test(first)) continue;
    const m = /^`([^`]+)`$/.exec(first);
    if (m && out.has(heading)) out.get(heading)!.push(m[1]!);
  }
  return out;
}

describe('docs/cli.md and the commands', async () => {
  const options = await commandOptions();
  const cli = doc('cli.md');

  test('every command and every option of it is documented', () => {
    const missing: string[] = [];
    // The synopsis at the top names each command (`lock status|release` names both of lock's).
    const synopsis = cli.split('```')[1]!;
    for (const [cmd, opts] of options) {
      if (cmd && !cmd.split(' ').every((word) => new RegExp(`\\b${word}\\b`).test(synopsis))) missing.push(cmd);
      for (const o of opts) if (!cli.includes(o)) missing.push(`${cmd} ${o}`);
    }
    expect(missing).toEqual([]);
  });

  test('every option the page names exists', () => {
    const known = new Set([...options.values()].flat());
    // Another tool's flags, quoted in a command line of it (`mix run --no-start`), are not hotup's.
    const ours = cli.replace(/`(?:mix|rebar3|erl|ssh|npm|npx|git|systemctl) [^`]*`/g, '');
    const named = new Set([...ours.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]));
    expect([...named].filter((o) => !known.has(o))).toEqual([]);
  });
});

describe('docs/config.md and the config schema', () => {
  const paths = new Set(keyPaths(configSchema((() => 'you') as never, () => '')));
  const tables = tableKeys(doc('config.md'));
  const documented = [...tables.values()].flat();
  const written = (p: string) => p.replaceAll('<name>.', '<name>.').replace(/^environments\.<name>/, 'environments.<name>');

  test('every key is documented (a key of a block by its own name in that block\'s table)', () => {
    const leaves = new Set(documented.map((k) => k.split('.').at(-1)!));
    const missing = [...paths].filter((p) => !documented.includes(written(p)) && !leaves.has(p.split('.').at(-1)!));
    expect(missing).toEqual([]);
  });

  test('every key the tables list exists', () => {
    const leaves = new Set([...paths].map((p) => p.split('.').at(-1)!));
    expect(documented.filter((k) => !paths.has(k) && !leaves.has(k.split('.').at(-1)!))).toEqual([]);
  });
});

describe('error codes', () => {
  const source = readFileSync(path.join(ROOT, 'src/errors.ts'), 'utf8');
  const union = /export type ErrorCode =([^;]+);/.exec(source)![1]!;
  const codes = new Set([...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!));
  const docs = ['cli.md', 'troubleshooting.md', 'config.md', 'ssh.md', 'fallback.md', 'ci.md', 'elixir.md', 'upgrade.md'].map((f) => {
    try {
      return doc(f);
    } catch {
      return '';
    }
  }).join('\n');

  test('every error code hotup can print is in the table of docs/cli.md', () => {
    const table = doc('cli.md').split('## Error codes')[1]!.split('\n## ')[0]!;
    expect([...codes].filter((c) => !table.includes(`| \`${c}\` |`))).toEqual([]);
  });

  test('the docs name no error code that does not exist', () => {
    // Codes are written `error CODE` in examples, and listed in the table of docs/cli.md.
    const table = doc('cli.md').split('## Error codes')[1]!.split('\n## ')[0]!;
    const named = new Set([...docs.matchAll(/error ([A-Z][A-Z]+(?:_[A-Z]+)+)\b/g), ...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!));
    expect([...named].filter((c) => !codes.has(c))).toEqual([]);
  });
});
