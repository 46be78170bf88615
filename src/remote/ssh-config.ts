/**
 * OpenSSH client config (ssh_config(5)) as ssh reads it, for the keywords hotup uses. Pure: the
 * text of each file comes in, through `include` for `Include` lines. Per keyword the first value
 * obtained for a host wins (IdentityFile accumulates), as in ssh.
 */
import { HotupError } from '../errors.js';

/** One criterion a line's block puts on the host; all of a line's conditions must hold. */
type Condition =
  | { kind: 'host'; patterns: string[] }
  | { kind: 'match'; criteria: Array<{ negate: boolean; what: 'all' } | { negate: boolean; what: 'host'; patterns: string[] }> }
  | { kind: 'never' };

interface OptionLine {
  keyword: string;
  args: string[];
  when: Condition[];
  where: string;
}

export interface SshConfig {
  lines: OptionLine[];
}

/** The files an `Include` argument names (already globbed and sorted), with their text. */
export type IncludeReader = (pattern: string, from: string) => Array<{ file: string; text: string }>;

/** ssh's own limit on nested Includes. */
const MAX_INCLUDE_DEPTH = 16;

/** Splits a line into words as ssh does: whitespace, `"` and `'` quoting, `\` escapes, `#` starting a word ends the line. */
export function splitWords(line: string, where: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === '#') break;
    let word = '';
    let quote: string | undefined;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === quote) quote = undefined;
        else if (c === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
        else word += c;
      } else if (c === '"' || c === '\'') quote = c;
      else if (c === '\\' && i + 1 < line.length) word += line[++i];
      else if (/\s/.test(c)) break;
      else word += c;
    }
    if (quote) throw configError(where, 'has an unterminated quote');
    words.push(word);
  }
  return words;
}

function configError(where: string, what: string): HotupError {
  return new HotupError('CONFIG_INVALID', `ssh config ${where} ${what}`,
    'Fix that line (see man ssh_config), or set ssh.config: false in hotup.yml to read no ssh config.');
}

/** `Keyword value`, `Keyword=value` and `Keyword = value` are all one keyword and its arguments. */
function keywordAndArgs(line: string, where: string): [string, string[]] | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+|$)(.*)$/.exec(line);
  if (!m) {
    if (/^\s*(#.*)?$/.test(line)) return undefined;
    throw configError(where, 'is not "Keyword value"');
  }
  return [m[1]!.toLowerCase(), splitWords(m[2]!, where)];
}

function matchCondition(args: string[], where: string): Condition {
  const criteria: Extract<Condition, { kind: 'match' }>['criteria'] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const negate = word.startsWith('!');
    const what = (negate ? word.slice(1) : word).toLowerCase();
    if (what === 'all') criteria.push({ negate, what: 'all' });
    else if (what === 'host' || what === 'originalhost') {
      const list = args[++i];
      if (list === undefined) throw configError(where, `has "Match ${what}" without patterns`);
      // Without hostname canonicalisation ssh matches both against the name as given.
      criteria.push({ negate, what: 'host', patterns: list.split(',') });
    } else {
      // exec, user, localuser, canonical, final, tagged…: not evaluated, so the block is not applied.
      return { kind: 'never' };
    }
  }
  return { kind: 'match', criteria };
}

export function parseSshConfig(text: string, file: string, include: IncludeReader = () => [], depth = 0, outer: Condition[] = []): SshConfig {
  const lines: OptionLine[] = [];
  let block: Condition[] = outer;
  text.split(/\r?\n/).forEach((raw, n) => {
    const where = `${file} line ${n + 1}`;
    const parsed = keywordAndArgs(raw, where);
    if (!parsed) return;
    const [keyword, args] = parsed;
    if (keyword === 'host') {
      if (args.length === 0) throw configError(where, 'has a Host line without patterns');
      block = [...outer, { kind: 'host', patterns: args }];
    } else if (keyword === 'match') {
      if (args.length === 0) throw configError(where, 'has a Match line without criteria');
      block = [...outer, matchCondition(args, where)];
    } else if (keyword === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) throw configError(where, `nests Include more than ${MAX_INCLUDE_DEPTH} deep`);
      for (const pattern of args) {
        for (const inc of include(pattern, file)) lines.push(...parseSshConfig(inc.text, inc.file, include, depth + 1, block).lines);
      }
    } else {
      lines.push({ keyword, args, when: block, where });
    }
  });
  return { lines };
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** A pattern list as ssh matches it: some positive pattern matches and no `!` pattern does. */
export function matchesPatterns(name: string, patterns: string[]): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(name)) return false;
    } else if (globToRegExp(p).test(name)) matched = true;
  }
  return matched;
}

function holds(c: Condition, name: string): boolean {
  switch (c.kind) {
    case 'host': return matchesPatterns(name, c.patterns);
    case 'never': return false;
    case 'match': return c.criteria.every((k) => (k.what === 'all' || matchesPatterns(name, k.patterns)) !== k.negate);
  }
}

export type StrictHostKeyChecking = 'yes' | 'ask' | 'accept-new' | 'no';

/** What the config says for one host name; absent means the config does not say. */
export interface SshHostOptions {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  identitiesOnly?: boolean;
  /** Hops as written, in order; an empty list means `ProxyJump none`. */
  proxyJump?: string[];
  proxyCommand?: string;
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  connectTimeoutSeconds?: number;
  hostKeyAlias?: string;
}

function yesNo(v: string, where: string): boolean {
  if (/^(yes|true)$/i.test(v)) return true;
  if (/^(no|false)$/i.test(v)) return false;
  throw configError(where, `should say yes or no, not "${v}"`);
}

function number(v: string, where: string, max: number): number {
  const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= max)) throw configError(where, `should give a number from 1 to ${max}, not "${v}"`);
  return n;
}

function strictness(v: string, where: string): StrictHostKeyChecking {
  const s = v.toLowerCase();
  if (s === 'yes' || s === 'true') return 'yes';
  if (s === 'no' || s === 'false' || s === 'off') return 'no';
  if (s === 'ask' || s === 'accept-new') return s;
  throw configError(where, `should set StrictHostKeyChecking to yes, ask, accept-new or no, not "${v}"`);
}

/** The options for NAME (the host as hotup was given it): the first matching value per keyword. */
export function hostOptions(config: SshConfig, name: string): SshHostOptions {
  const o: SshHostOptions = { identityFiles: [] };
  const seen = new Set<string>();
  for (const line of config.lines) {
    if (!line.when.every((c) => holds(c, name))) continue;
    const [first] = line.args;
    if (first === undefined) throw configError(line.where, `has ${line.keyword} without a value`);
    if (line.keyword === 'identityfile') {
      if (!o.identityFiles.includes(first)) o.identityFiles.push(first);
      continue;
    }
    if (seen.has(line.keyword)) continue;
    seen.add(line.keyword);
    switch (line.keyword) {
      case 'hostname': o.hostName = first; break;
      case 'user': o.user = first; break;
      case 'port': o.port = number(first, line.where, 65535); break;
      case 'identitiesonly': o.identitiesOnly = yesNo(first, line.where); break;
      // ProxyJump and ProxyCommand exclude each other: whichever comes first is the one used.
      case 'proxyjump':
        if (!seen.has('proxycommand')) o.proxyJump = first.toLowerCase() === 'none' ? [] : first.split(',');
        seen.add('proxycommand');
        break;
      case 'proxycommand':
        if (!seen.has('proxyjump') && first.toLowerCase() !== 'none') o.proxyCommand = line.args.join(' ');
        seen.add('proxyjump');
        break;
      case 'userknownhostsfile': if (first.toLowerCase() !== 'none') o.userKnownHostsFiles = line.args; break;
      case 'stricthostkeychecking': o.strictHostKeyChecking = strictness(first, line.where); break;
      case 'connecttimeout': o.connectTimeoutSeconds = number(first, line.where, 86_400); break;
      case 'hostkeyalias': o.hostKeyAlias = first; break;
      default: break;
    }
  }
  return o;
}

/** What `%` tokens and `~` stand for in one connection. */
export interface TokenValues {
  home: string;
  localUser: string;
  /** The host name as given (alias), `%n`. */
  alias: string;
  /** The real host name (after HostName), `%h`. */
  host: string;
  /** The remote login, `%r`. */
  user: string;
  port: number;
}

export function expandTilde(p: string, home: string): string {
  return p === '~' || p.startsWith('~/') ? home + p.slice(1) : p;
}

/** `~` and the simple `%` tokens of IdentityFile, UserKnownHostsFile and HostName. */
export function expandTokens(value: string, t: TokenValues, where = 'value'): string {
  return expandTilde(value, t.home).replace(/%(.)/g, (_, c: string) => {
    switch (c) {
      case '%': return '%';
      case 'd': return t.home;
      case 'u': return t.localUser;
      case 'n': return t.alias;
      case 'h': return t.host;
      case 'r': return t.user;
      case 'p': return String(t.port);
      default: throw configError(where, `uses %${c}, which hotup does not expand (it knows %%, %d, %h, %n, %p, %r, %u)`);
    }
  });
}

/** A hop as written in ProxyJump: `[user@]host[:port]`, IPv6 in brackets. */
export function parseJump(written: string): { user?: string; host: string; port?: number } | undefined {
  const m = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@[\]\s]+)(?::([0-9]+))?$/.exec(written.trim());
  if (!m) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && !(port >= 1 && port <= 65535)) return undefined;
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { ...(m[1] ? { user: m[1] } : {}), host, ...(port ? { port } : {}) };
}
