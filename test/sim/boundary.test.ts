// The simulator imports nothing of the product: every import of local/sim/ is a sibling module,
// a Node.js built-in or zod (its scenario schemas), so it cannot agree with the product by construction.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SIM = join(__dirname, '..', '..', 'local', 'sim');
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|require\(\s*'([^']+)'\s*\)/g;
const ALLOWED = /^(\.\/[\w-]+|node:[\w/]+|zod)$/;

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map((m) => m[1] ?? m[2] ?? m[3]);
}

test('every import of the simulator is a sibling, a Node.js built-in or zod', () => {
  const files = readdirSync(SIM).filter((name) => name.endsWith('.ts')).map((name) => join(SIM, name));
  expect(files.length).toBeGreaterThan(10);
  const imports = files.flatMap((file) => importsOf(file).map((specifier) => `${file.slice(SIM.length + 1)}: ${specifier}`));
  expect(imports.length).toBeGreaterThan(30);
  expect(imports.filter((line) => !ALLOWED.test(line.split(': ')[1]))).toEqual([]);
});
