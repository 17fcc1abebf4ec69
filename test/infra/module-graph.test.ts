// The module graph of the shipped and tooling sources has no cycle: every relative import (and
// `export ... from`, dynamic import, require) of the TypeScript under functions/, statemachine/,
// infra/, cli/, local/, report/, prevention/ and bench/, type-only imports included, resolved to its
// file; a cycle fails naming its files in order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../infra/constructs/handler-function';

const ROOTS = ['functions', 'statemachine', 'infra', 'cli', 'local', 'report', 'prevention', 'bench'];
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)|require\(\s*'(\.[^']+)'\s*\)/g;

function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(full);
    return /\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name) ? [full] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((candidate) => candidate.endsWith('.ts') && fs.existsSync(candidate));
}

/** Each source file and the source files it imports. */
export function moduleGraph(files: string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const text = fs.readFileSync(file, 'utf8');
      const targets = [...text.matchAll(SPECIFIER)].map((m) => resolve(file, m[1] ?? m[2] ?? m[3])).filter((t): t is string => t !== undefined);
      return [file, [...new Set(targets)]];
    }),
  );
}

/** The cycles of a graph, each as the files along it (depth-first, each cycle found once from where it is entered). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

test('the cycle finder finds a cycle and its files', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['a']],
  ]);
  expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
});

test('no import cycle among the sources', () => {
  const files = ROOTS.flatMap((root) => sources(path.join(PROJECT_ROOT, root)));
  expect(files.length).toBeGreaterThan(100);
  const relative = (file: string) => path.relative(PROJECT_ROOT, file);
  expect(cycles(moduleGraph(files)).map((cycle) => cycle.map(relative).join(' -> '))).toEqual([]);
});
