// Builds the installed command (`kms-rotor`, short name `rotor`): cli/bin.ts bundled by esbuild into
// dist/cli.js, dependencies left to node_modules, and the demo scenario beside it (the simulator
// finds it next to its code, which is dist/ once bundled); and the package's library entry points,
// `kms-rotor/aspects` (dist/aspects.js) and `kms-rotor/prevention` (dist/prevention.js). Run by
// `npm run build`, by `prepare` on `npm ci` and `npm pack`, and before `npm start` / `npm run rotor`
// so they run the current source. `--types` also writes their declarations (dist/types/, by tsc):
// `prepack` asks for it, so a packed tarball has them and `npm ci` does not wait for them.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { chmod, cp, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const outfile = join(dist, 'cli.js');

const result = await build({
  absWorkingDir: root,
  entryPoints: ['cli/bin.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
  outfile,
  write: false,
  logLevel: 'warning',
});

// The library entry points: the user's app brings aws-cdk-lib and constructs (peer dependencies).
const libraries = { aspects: 'infra/aspects/index.ts', prevention: 'prevention/index.ts' };
for (const [name, entry] of Object.entries(libraries)) {
  await build({ absWorkingDir: root, entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile: join(dist, `${name}.js`), logLevel: 'warning' });
}
if (process.argv.includes('--types')) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.types.json')], { stdio: 'inherit' });
}

await mkdir(dist, { recursive: true });
await cp(join(root, 'local', 'sim', 'scenarios'), join(dist, 'scenarios'), { recursive: true });
// Written beside and renamed into place: a rotor starting while another rebuilds never reads half a file.
const partial = `${outfile}.${process.pid}.tmp`;
await writeFile(partial, result.outputFiles[0].contents);
await chmod(partial, 0o755);
await rename(partial, outfile);
