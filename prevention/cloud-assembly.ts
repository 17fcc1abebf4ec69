// The templates of a CDK cloud assembly (a cdk.out folder): every `*.template.json` of it and of its
// nested assemblies (CDK Stages), nested stacks' templates included, asset folders left out. A
// manifest is input like any other: what it names is followed only inside the assembly, and each
// folder and template is read once, however the manifests or links point back.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { FileError, SourceText } from './check';
import { fileIdentity, type ReadOnce } from './read-once';
import { describeFsError, readRegularFile, UnreadableFile } from './regular-files';

/** A path to read, and the name the report gives it (built from what the user typed). */
export interface Location {
  path: string;
  name: string;
}

const TEMPLATE_FILE = /\.template\.json$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

async function manifestOf(folder: string, entries: readonly Dirent[]): Promise<unknown> {
  if (!entries.some((entry) => entry.name === 'manifest.json' && entry.isFile())) return undefined;
  try {
    return JSON.parse((await readRegularFile(join(folder, 'manifest.json'))).text);
  } catch {
    return undefined;
  }
}

/** A folder is a cloud assembly when `cdk synth` marked it (the `cdk.out` version file) or its
 * manifest lists artifacts. */
export async function isCloudAssembly(folder: string, entries: readonly Dirent[]): Promise<boolean> {
  if (entries.some((entry) => entry.name === 'cdk.out' && entry.isFile())) return true;
  const manifest = await manifestOf(folder, entries);
  return isRecord(manifest) && isRecord(manifest.artifacts);
}

/** The folders of the nested assemblies the manifest names; without a readable manifest, the
 * `assembly-*` folders the CDK gives them. */
async function nestedAssemblyNames(folder: string, entries: readonly Dirent[]): Promise<string[]> {
  const manifest = await manifestOf(folder, entries);
  if (!isRecord(manifest)) {
    return entries.filter((entry) => entry.isDirectory() && entry.name.startsWith('assembly-')).map((entry) => entry.name);
  }
  const artifacts = isRecord(manifest.artifacts) ? Object.values(manifest.artifacts) : [];
  const names = artifacts.flatMap((artifact) =>
    isRecord(artifact) &&
    artifact.type === 'cdk:cloud-assembly' &&
    isRecord(artifact.properties) &&
    typeof artifact.properties.directoryName === 'string'
      ? [artifact.properties.directoryName]
      : [],
  );
  return [...new Set(names)].sort();
}

function sortedByName(entries: Dirent[]): Dirent[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The templates of the assembly at `root`, read, in order: each folder's own, then its nested
 * assemblies'; what `reads` has met already is left out. A nested assembly or a linked template outside the assembly is an error
 * for that manifest or link, and is not read.
 */
export async function assemblyInputs(root: Location, reads: ReadOnce): Promise<Array<SourceText | FileError>> {
  const inputs: Array<SourceText | FileError> = [];
  const rootPath = await realpath(root.path);

  const readTemplate = async (file: Location, isLink: boolean) => {
    try {
      if (isLink && !isInside(await realpath(file.path), rootPath)) {
        inputs.push({ file: file.name, error: 'a link to a file outside the cloud assembly: not read' });
        return;
      }
      const { text, identity } = await readRegularFile(file.path);
      if (reads.first(identity)) inputs.push({ file: file.name, text, expect: 'cloudformation' });
    } catch (error) {
      inputs.push({ file: file.name, error: error instanceof UnreadableFile ? error.message : describeFsError(error) });
    }
  };

  const visit = async (folder: Location): Promise<void> => {
    if (!reads.first(fileIdentity(await stat(folder.path)))) return;
    const entries = sortedByName(await readdir(folder.path, { withFileTypes: true }));
    for (const entry of entries) {
      if (!TEMPLATE_FILE.test(entry.name) || !(entry.isFile() || entry.isSymbolicLink())) continue;
      await readTemplate({ path: join(folder.path, entry.name), name: join(folder.name, entry.name) }, entry.isSymbolicLink());
    }
    for (const name of await nestedAssemblyNames(folder.path, entries)) {
      const nested = { path: resolve(folder.path, name), name: join(folder.name, name) };
      const manifest = join(folder.name, 'manifest.json');
      const real = await realpath(nested.path).catch(() => undefined);
      if (real === undefined) continue; // named but not written: nothing to check there
      if (!isInside(real, rootPath)) {
        inputs.push({ file: manifest, error: `nested assembly "${name}" is outside the cloud assembly: not followed` });
        continue;
      }
      if (!(await stat(real)).isDirectory()) continue;
      await visit(nested).catch((error: unknown) => inputs.push({ file: nested.name, error: describeFsError(error) }));
    }
  };

  await visit(root);
  return inputs;
}
