/** Finds and reads hotup.yml, and turns its text into a typed Config or one error listing every problem. */
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { HotupError } from '../errors.js';
import { resolveConfig } from './resolve.js';
import { configSchema, type ReadInventory } from './schema.js';
import type { Config } from './types.js';

export const CONFIG_FILE = 'hotup.yml';
const MAX_ALIASES = 100;
const REMEDY = 'Fix each key named above; docs/config.md describes every key, its type and its default.';

/** The nearest hotup.yml in startDir or a directory above it. */
export function findConfigFile(startDir: string): string {
  const start = path.resolve(startDir);
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new HotupError('CONFIG_NOT_FOUND', `no ${CONFIG_FILE} in ${start} or any directory above it`,
    `Run hotup inside your project, create ${CONFIG_FILE} at its root (see docs/config.md), or pass --config <file>.`);
}

/** The config named by --config (relative to cwd), else the nearest hotup.yml above cwd. */
export async function loadConfig(opts: { configPath?: string; cwd: string }): Promise<Config> {
  const file = opts.configPath === undefined ? findConfigFile(opts.cwd) : path.resolve(opts.cwd, opts.configPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new HotupError('CONFIG_NOT_FOUND', missing ? `${file} does not exist` : `cannot read ${file}: ${(e as Error).message}`,
      'Check the path given to --config, or leave --config out to use the nearest hotup.yml.', { cause: e });
  }
  return parseConfig(text, file);
}

/**
 * The text of hotup.yml (read from FILE) to a typed Config. No file access but the inventories it
 * names, read with READ (relative paths are from FILE's directory, `~/` from the home directory).
 */
export function parseConfig(text: string, file: string, read: (absolutePath: string) => string = (p) => readFileSync(p, 'utf8')): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw invalid(file, doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return `line ${line}, column ${col}: ${e.message}`;
    }));
  }
  let value: unknown;
  try {
    // Aliases are bounded: a document that expands an anchor exponentially ("billion laughs") is refused.
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    throw invalid(file, [`${(e as Error).message} (hotup.yml may expand YAML aliases at most ${MAX_ALIASES} times)`]);
  }
  // An empty file is an empty mapping, so it is reported key by key like any other.
  const readInventory: ReadInventory = (name) =>
    read(path.resolve(path.dirname(path.resolve(file)), name === '~' || name.startsWith('~/') ? os.homedir() + name.slice(1) : name));
  const parsed = configSchema(currentUser, readInventory).safeParse(value ?? {});
  if (!parsed.success) throw invalid(file, parsed.error.issues.map(issueLine));
  return resolveConfig(parsed.data, { file, home: os.homedir() });
}

function issueLine(issue: z.core.$ZodIssue): string {
  return `${issue.path.map(String).join('/') || '(top level)'}: ${issue.message}`;
}

function invalid(file: string, lines: string[]): HotupError {
  const count = `${lines.length} problem${lines.length === 1 ? '' : 's'}`;
  return new HotupError('CONFIG_INVALID', `${path.resolve(file)} has ${count}:\n${lines.map((l) => `  ${l}`).join('\n')}`, REMEDY);
}

/** The OS login, asked only when a host lacks `user@`; some containers run as a uid with no name. */
function currentUser(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || process.env.LOGNAME || undefined;
  }
}
