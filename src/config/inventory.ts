/**
 * Ansible inventories, INI or YAML, read far enough to list a group's hosts with the connection
 * variables hotup uses (ansible_host, ansible_port, ansible_user). Pure: the text comes in.
 */
import { isIPv6 } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { parseHostSpec, type DefaultUser } from './host-spec.js';
import { closestKey } from './suggest.js';
import type { HostSpec } from './types.js';

type Vars = Record<string, unknown>;

interface Group {
  hosts: string[];
  children: string[];
  vars: Vars;
}

export interface Inventory {
  groups: Map<string, Group>;
  /** Each host's own variables, in the order hosts first appear. */
  hosts: Map<string, Vars>;
}

/** A host of a group, with its variables merged the way Ansible does (all < parent groups < child groups < host). */
export interface InventoryHost {
  name: string;
  vars: Vars;
}

/** What is wrong with an inventory; KEY says which key of `inventory:` in hotup.yml it is about. */
export class InventoryError extends Error {
  constructor(message: string, readonly key: 'file' | 'group' = 'file') {
    super(message);
  }
}

/** The inventory in TEXT; YAML when FILE ends in .yml/.yaml or the text is a YAML mapping of groups, else INI. */
export function parseInventory(text: string, file: string): Inventory {
  const inv: Inventory = { groups: new Map(), hosts: new Map() };
  if (/\.ya?ml$/i.test(file) || looksLikeYaml(text)) readYaml(inv, text);
  else readIni(inv, text);
  finish(inv);
  return inv;
}

/** The hosts of GROUP (its children's included), in inventory order; an unknown group names the known ones. */
export function groupHosts(inv: Inventory, group: string): InventoryHost[] {
  if (!inv.groups.has(group)) {
    const known = [...inv.groups.keys()].sort();
    const hint = closestKey(group, known);
    throw new InventoryError(`has no group "${group}"${hint ? ` (did you mean ${hint}?)` : ''}; its groups are: ${known.join(', ')}`, 'group');
  }
  const members = new Set<string>();
  walk(inv, group, (g) => g.hosts.forEach((h) => members.add(h)));
  return [...inv.hosts.keys()].filter((h) => members.has(h)).map((name) => ({ name, vars: varsOf(inv, name) }));
}

function looksLikeYaml(text: string): boolean {
  try {
    const doc: unknown = parseYaml(text);
    return isMap(doc) && Object.values(doc).every((g) => g === null || isMap(g));
  } catch {
    return false;
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function groupOf(inv: Inventory, name: string): Group {
  let g = inv.groups.get(name);
  if (!g) inv.groups.set(name, (g = { hosts: [], children: [], vars: {} }));
  return g;
}

function addHost(inv: Inventory, group: string, written: string, vars: Vars): void {
  for (const pattern of expandRange(written)) {
    // `name:port` sets the port, as in Ansible (an IPv6 address without a port has more than one colon).
    const m = /^([^:]+):(\d+)$/.exec(pattern);
    const name = m ? m[1]! : pattern;
    const own = { ...inv.hosts.get(name), ...vars, ...(m ? { ansible_port: Number(m[2]) } : {}) };
    inv.hosts.set(name, own);
    const g = groupOf(inv, group);
    if (!g.hosts.includes(name)) g.hosts.push(name);
  }
}

/** `web[01:03]` → web01, web02, web03; `db-[a:c]` → db-a, db-b, db-c; an optional `:step`. */
export function expandRange(pattern: string): string[] {
  const m = /^(.*?)\[([0-9]+|[a-z]):([0-9]+|[a-z])(?::([0-9]+))?\](.*)$/.exec(pattern);
  if (!m) return [pattern];
  const [, head = '', from = '', to = '', stepText, tail = ''] = m;
  const step = stepText === undefined ? 1 : Number(stepText);
  const numeric = /^[0-9]+$/.test(from);
  if (numeric !== /^[0-9]+$/.test(to) || step < 1) throw new InventoryError(`has a host range it cannot read: ${pattern}`);
  const [a, b] = numeric ? [Number(from), Number(to)] : [from.charCodeAt(0), to.charCodeAt(0)];
  if (a > b) throw new InventoryError(`has a host range that counts down: ${pattern}`);
  // A leading zero pads every number to the width of the start, as Ansible does.
  const width = numeric && from.startsWith('0') ? from.length : 0;
  const out: string[] = [];
  for (let i = a; i <= b; i += step) {
    const part = numeric ? String(i).padStart(width, '0') : String.fromCharCode(i);
    out.push(...expandRange(`${head}${part}${tail}`));
  }
  return out;
}

/** Splits a host line on blanks, keeping quoted values (`key="a b"`) whole. */
function words(line: string): string[] {
  return [...line.matchAll(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g)].map((w) => w[0]);
}

function unquote(v: string): string {
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
}

function keyValue(word: string, where: string): [string, string] {
  const i = word.indexOf('=');
  if (i <= 0) throw new InventoryError(`${where}: "${word}" should be key=value`);
  return [word.slice(0, i), unquote(word.slice(i + 1))];
}

function readIni(inv: Inventory, text: string): void {
  let section = 'ungrouped';
  let kind: 'hosts' | 'children' | 'vars' = 'hosts';
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.replace(/^\s*[#;].*$/, '').replace(/\s+#.*$/, '').trim();
    if (!line) return;
    const where = `line ${i + 1}`;
    const header = /^\[([^\]:\s]+)(?::(children|vars))?\]$/.exec(line);
    if (header) {
      section = header[1]!;
      kind = (header[2] as 'children' | 'vars' | undefined) ?? 'hosts';
      groupOf(inv, section);
      return;
    }
    if (line.startsWith('[')) throw new InventoryError(`${where}: "${line}" is not a group header like [web], [web:children] or [web:vars]`);
    if (kind === 'vars') {
      const [k, v] = keyValue(line.replace(/\s*=\s*/, '='), where);
      groupOf(inv, section).vars[k] = v;
    } else if (kind === 'children') {
      const g = groupOf(inv, section);
      groupOf(inv, line);
      if (!g.children.includes(line)) g.children.push(line);
    } else {
      const [name, ...rest] = words(line);
      addHost(inv, section, name!, Object.fromEntries(rest.map((w) => keyValue(w, where))));
    }
  });
}

function readYaml(inv: Inventory, text: string): void {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new InventoryError(`is not valid YAML: ${(e as Error).message}`);
  }
  if (!isMap(doc)) throw new InventoryError('should be a YAML mapping of groups (all:, with hosts:, children: and vars:)');
  const readGroup = (name: string, body: unknown, at: string) => {
    const g = groupOf(inv, name);
    if (body === null || body === undefined) return;
    if (!isMap(body)) throw new InventoryError(`${at} should be a mapping with hosts, children or vars`);
    for (const key of Object.keys(body)) {
      if (!['hosts', 'children', 'vars'].includes(key)) throw new InventoryError(`${at} has an unknown key "${key}" (a group has hosts, children and vars)`);
    }
    const { hosts, children, vars } = body;
    if (vars !== undefined && vars !== null) {
      if (!isMap(vars)) throw new InventoryError(`${at}/vars should be a mapping`);
      Object.assign(g.vars, vars);
    }
    if (hosts !== undefined && hosts !== null) {
      if (!isMap(hosts)) throw new InventoryError(`${at}/hosts should be a mapping of host names to their variables`);
      for (const [h, hv] of Object.entries(hosts)) {
        if (hv !== null && !isMap(hv)) throw new InventoryError(`${at}/hosts/${h} should be a mapping of variables, or empty`);
        addHost(inv, name, h, hv ?? {});
      }
    }
    if (children !== undefined && children !== null) {
      if (!isMap(children)) throw new InventoryError(`${at}/children should be a mapping of group names`);
      for (const [child, cb] of Object.entries(children)) {
        if (!g.children.includes(child)) g.children.push(child);
        readGroup(child, cb, `${at}/children/${child}`);
      }
    }
  };
  for (const [name, body] of Object.entries(doc)) readGroup(name, body, name);
}

/** The implicit groups: `all` holds every group, `ungrouped` the hosts no other group has. */
function finish(inv: Inventory): void {
  const all = groupOf(inv, 'all');
  const ungrouped = groupOf(inv, 'ungrouped');
  const inSomeGroup = new Set<string>();
  for (const [name, g] of inv.groups) {
    if (name === 'all' || name === 'ungrouped') continue;
    g.hosts.forEach((h) => inSomeGroup.add(h));
    const isChild = [...inv.groups.values()].some((p) => p !== all && p.children.includes(name));
    if (!isChild && !all.children.includes(name)) all.children.push(name);
  }
  for (const h of inv.hosts.keys()) if (!inSomeGroup.has(h) && !ungrouped.hosts.includes(h)) ungrouped.hosts.push(h);
  if (!all.children.includes('ungrouped')) all.children.push('ungrouped');
}

/** Visits GROUP and its descendants once each (a cycle of children is visited once). */
function walk(inv: Inventory, group: string, visit: (g: Group, name: string, depth: number) => void, depth = 0, seen = new Set<string>()): void {
  if (seen.has(group)) return;
  seen.add(group);
  const g = inv.groups.get(group);
  if (!g) return;
  visit(g, group, depth);
  for (const c of g.children) walk(inv, c, visit, depth + 1, seen);
}

/** HOST's variables: the groups that hold it, shallow before deep (then by name), then its own. */
function varsOf(inv: Inventory, host: string): Vars {
  const depths = new Map<string, number>();
  // Depth below `all`, the longest path: a child group's vars win over its parent's.
  const visitFrom = (name: string, depth: number, path: string[]) => {
    if (path.includes(name)) return;
    depths.set(name, Math.max(depths.get(name) ?? 0, depth));
    for (const c of inv.groups.get(name)?.children ?? []) visitFrom(c, depth + 1, [...path, name]);
  };
  visitFrom('all', 0, []);
  const holding = [...inv.groups.keys()].filter((name) => {
    let found = false;
    walk(inv, name, (g) => (found ||= g.hosts.includes(host)));
    return found;
  });
  holding.sort((a, b) => (depths.get(a) ?? 0) - (depths.get(b) ?? 0) || a.localeCompare(b));
  return Object.assign({}, ...holding.map((g) => inv.groups.get(g)!.vars), inv.hosts.get(host));
}

/**
 * The hosts of GROUP in the inventory TEXT (read from FILE) as hotup reaches them: ansible_host (else
 * the inventory name), ansible_port, ansible_user (else DEFAULT_USER). Each is named by its inventory name.
 */
export function inventoryHosts(text: string, file: string, group: string, defaultUser: DefaultUser): HostSpec[] {
  return groupHosts(parseInventory(text, file), group).map(({ name, vars }) => {
    const address = String(vars.ansible_host ?? name);
    const user = vars.ansible_user === undefined ? '' : `${String(vars.ansible_user)}@`;
    const port = vars.ansible_port === undefined ? '' : `:${String(vars.ansible_port)}`;
    const parsed = parseHostSpec(`${user}${isIPv6(address) ? `[${address}]` : address}${port}`, defaultUser);
    if ('error' in parsed) throw new InventoryError(`host ${name} (${user}${address}${port}) ${parsed.error}`);
    return { ...parsed, raw: name };
  });
}
