// Builds the installed command (`kms-rotor`, short name `rotor`): cli/bin.ts bundled by esbuild into
// dist/cli.js, dependencies left to node_modules, and the demo scenario beside it (the simulator
// finds it next to its code, which is dist/ once bundled). Run by `npm run build`, by `prepare` on
// `npm ci` and `npm pack`, and before `npm start` / `npm run rotor` so they run the current source.
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

await mkdir(dist, { recursive: true });
await cp(join(root, 'local', 'sim', 'scenarios'), join(dist, 'scenarios'), { recursive: true });
// Written beside and renamed into place: a rotor starting while another rebuilds never reads half a file.
const partial = `${outfile}.${process.pid}.tmp`;
await writeFile(partial, result.outputFiles[0].contents);
await chmod(partial, 0o755);
await rename(partial, outfile);
