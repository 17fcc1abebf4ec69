// The check's only I/O: reads the files named on the command line, and for a folder (a CDK cloud
// assembly, `cdk.out`) every `*.template.json` in it and in its nested assemblies.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileError, SourceText } from './check';

/** What was read, in the order of the paths given: a file's text, or why it could not be read. */
export type ReadInput = SourceText | FileError;

const TEMPLATE_FILE = /\.template\.json$/;

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    default:
      return `cannot be read: ${(error as Error).message}`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The nested assemblies a cloud assembly's manifest names (CDK Stages); without a readable
 * manifest, the `assembly-*` folders the CDK gives them. */
async function nestedAssemblies(folder: string, entries: string[]): Promise<string[]> {
  try {
    const manifest: unknown = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'));
    const artifacts = isRecord(manifest) && isRecord(manifest.artifacts) ? Object.values(manifest.artifacts) : [];
    const names = artifacts.flatMap((artifact) =>
      isRecord(artifact) &&
      artifact.type === 'cdk:cloud-assembly' &&
      isRecord(artifact.properties) &&
      typeof artifact.properties.directoryName === 'string'
        ? [artifact.properties.directoryName]
        : [],
    );
    return [...new Set(names)].sort();
  } catch {
    return entries.filter((entry) => entry.startsWith('assembly-')).sort();
  }
}

/** Every template of a cloud assembly, its nested stacks' (`*.nested.template.json`) included,
 * without descending into asset folders, whose files are not templates. */
export async function assemblyTemplates(folder: string, seen = new Set<string>()): Promise<string[]> {
  if (seen.has(folder)) return [];
  seen.add(folder);
  const entries = (await readdir(folder)).sort();
  const templates = entries.filter((entry) => TEMPLATE_FILE.test(entry)).map((entry) => join(folder, entry));
  for (const nested of await nestedAssemblies(folder, entries)) {
    const path = join(folder, nested);
    const isFolder = await stat(path).then((info) => info.isDirectory(), () => false);
    if (isFolder) templates.push(...(await assemblyTemplates(path, seen)));
  }
  return templates;
}

export async function readInputs(paths: readonly string[]): Promise<ReadInput[]> {
  const inputs: ReadInput[] = [];
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (!info.isDirectory()) {
        inputs.push({ file: path, text: await readFile(path, 'utf8') });
        continue;
      }
      const templates = await assemblyTemplates(path);
      if (templates.length === 0) {
        inputs.push({ file: path, error: 'a folder with no *.template.json files (a cdk.out folder was expected)' });
      }
      for (const template of templates) {
        try {
          inputs.push({ file: template, text: await readFile(template, 'utf8'), expect: 'cloudformation' });
        } catch (error) {
          inputs.push({ file: template, error: describeFsError(error) });
        }
      }
    } catch (error) {
      inputs.push({ file: path, error: describeFsError(error) });
    }
  }
  return inputs;
}
