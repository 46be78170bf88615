/** The shape of src/: no import cycles, and the CLI reaches hosts only through core. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Edge {
  to: string;
  /** `import type` / `export type`: gone at run time, so no part of a cycle. */
  typeOnly: boolean;
}

/** Relative imports of FILE (static, re-exports and dynamic `import()`), as src-relative paths. */
function importsOf(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const edges: Edge[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4]!;
    const to = path.relative(SRC, path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
    edges.push({ to, typeOnly: Boolean(m[2]) });
  }
  return edges;
}

const graph = new Map(sources(SRC).map((f) => [path.relative(SRC, f), importsOf(f)]));

/** Every cycle through run-time imports, each as the list of files around it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const e of graph.get(f) ?? []) {
      if (e.typeOnly) continue;
      if (state.get(e.to) === 'open') found.push([...stack.slice(stack.indexOf(e.to)), e.to]);
      else if (!state.has(e.to)) visit(e.to);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

describe('architecture', () => {
  test('the import scan sees the code (a guard against a scan that finds nothing)', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('core/deploy.ts')?.map((e) => e.to)).toContain('core/apply.ts');
    expect(graph.get('cli/apply.ts')?.map((e) => e.to)).toContain('core/deploy.ts');
  });

  test('no import cycles in src', () => {
    expect(cycles().map((c) => c.join(' → '))).toEqual([]);
  });

  test('src/cli imports nothing from src/host, src/remote or src/node', () => {
    const bad = [...graph].flatMap(([f, edges]) =>
      f.startsWith('cli/') ? edges.filter((e) => /^(host|remote|node)\//.test(e.to)).map((e) => `${f} → ${e.to}`) : []);
    expect(bad).toEqual([]);
  });

  test('core and node code reach hosts only through the Host façade', () => {
    const bad = [...graph].flatMap(([f, edges]) =>
      /^(core|node)\//.test(f) && f !== 'core/context.ts'
        ? edges.filter((e) => e.to === 'remote/executor.ts' && !e.typeOnly || /^host\/(remote-host|session-link)\.ts$/.test(e.to)).map((e) => `${f} → ${e.to}`)
        : []);
    expect(bad).toEqual([]);
  });
});
