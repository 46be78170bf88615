/** Finds, parses and validates hotup.yml into a typed Config, reporting every problem with its path. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { HotupError } from '../errors.js';
import { configSchema, type RawConfig, type RawSsh } from './schema.js';
import { parseHostSpec } from './host-spec.js';
import type { Config, EnvironmentConfig, HostSpec, SshSettings } from './types.js';

export const CONFIG_FILE = 'hotup.yml';
const DOCS = 'See docs/config.md for every key.';

export function findConfigFile(startDir: string): string {
  for (let dir = path.resolve(startDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new HotupError('CONFIG_NOT_FOUND', `no ${CONFIG_FILE} in ${path.resolve(startDir)} or any directory above it`,
    `Create ${CONFIG_FILE} at your project's root (see docs/config.md), or pass --config <file>.`);
}

export async function loadConfig(opts: { configPath?: string; cwd: string }): Promise<Config> {
  const file = opts.configPath ? path.resolve(opts.cwd, opts.configPath) : findConfigFile(opts.cwd);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new HotupError('CONFIG_NOT_FOUND', `cannot read ${file}: ${(e as Error).message}`, 'Check the path given to --config.');
  }
  return parseConfig(text, file);
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? os.homedir() + p.slice(1) : p;
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** Keys allowed at a path of the raw document, for "did you mean" suggestions. */
const KNOWN_KEYS: Array<[RegExp, string[]]> = [
  [/^$/, ['app', 'build', 'ssh', 'environments']],
  [/^build$/, ['host', 'tool', 'path', 'profile', 'ssh']],
  [/^environments\/[^/]+$/, ['hosts', 'deploy_to', 'ssh']],
  [/(^|\/)ssh$/, ['identity', 'known_hosts', 'connect_timeout', 'command_timeout']],
];

function suggestion(at: string, key: string): string {
  const known = KNOWN_KEYS.find(([re]) => re.test(at))?.[1] ?? [];
  const best = known.map((k) => [k, levenshtein(k, key)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean ${best[0]}?)` : '';
}

function issueLines(issues: z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    const at = issue.path.map(String).join('/');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => `${at ? `${at}/` : ''}${k}: unknown key "${k}"${suggestion(at, k)}`);
    }
    return [`${at || '(top level)'}: ${issue.message}`];
  });
}

function invalid(file: string, lines: string[]): HotupError {
  return new HotupError('CONFIG_INVALID', `${file} has ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n${lines.map((l) => `  ${l}`).join('\n')}`, DOCS);
}

function sshSettings(...layers: Array<RawSsh | undefined>): SshSettings {
  const merged: RawSsh = Object.assign({}, ...layers.filter(Boolean));
  return {
    ...(merged.identity ? { identity: expandHome(merged.identity) } : {}),
    knownHosts: expandHome(merged.known_hosts ?? '~/.ssh/known_hosts'),
    connectTimeoutMs: (merged.connect_timeout ?? 10) * 1000,
    commandTimeoutMs: (merged.command_timeout ?? 120) * 1000,
  };
}

/** Pure: the text of hotup.yml (read from FILE) to a typed Config. */
export function parseConfig(text: string, file: string): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw invalid(file, doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return `${pos ? `line ${pos.line}, column ${pos.col}` : 'YAML'}: ${e.message.split('\n')[0]}`;
    }));
  }
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) throw invalid(file, issueLines(parsed.error.issues));
  return typedConfig(parsed.data, file);
}

function typedConfig(raw: RawConfig, file: string): Config {
  const root = path.dirname(path.resolve(file));
  const user = os.userInfo().username;
  const problems: string[] = [];
  const host = (s: string, at: string): HostSpec | null => {
    const h = parseHostSpec(s, user);
    if ('error' in h) {
      problems.push(`${at}: ${h.error}`);
      return null;
    }
    return h;
  };

  const environments: Record<string, EnvironmentConfig> = {};
  for (const [name, env] of Object.entries(raw.environments)) {
    const hosts: HostSpec[] = [];
    const seen = new Set<string>();
    env.hosts.forEach((s, i) => {
      const h = host(s, `environments/${name}/hosts/${i}`);
      if (!h) return;
      const key = `${h.user}@${h.host}:${h.port}`;
      if (seen.has(key)) problems.push(`environments/${name}/hosts/${i}: ${s} is listed twice`);
      seen.add(key);
      hosts.push(h);
    });
    environments[name] = { name, hosts, deployTo: env.deploy_to.replace(/\/+$/, '') || '/', ssh: sshSettings(raw.ssh, env.ssh) };
  }

  const buildHostRaw = raw.build?.host ?? 'local';
  const buildHost = buildHostRaw === 'local' ? 'local' : host(buildHostRaw, 'build/host');
  if (problems.length > 0) throw invalid(file, problems);
  const buildPath = expandHome(raw.build?.path ?? '.');
  return {
    file: path.resolve(file),
    root,
    app: raw.app,
    build: {
      host: buildHost ?? 'local',
      tool: raw.build?.tool ?? 'rebar3',
      // A remote build host's path is its own; only a local one resolves from here.
      path: buildHost === 'local' ? path.resolve(root, buildPath) : buildPath,
      profile: raw.build?.profile ?? 'prod',
      ssh: sshSettings(raw.ssh, raw.build?.ssh),
    },
    environments,
  };
}
