// The check's I/O: reads the paths given on the command line, relative ones from the caller's
// folder. A file is read when it is a regular file; a folder is a cloud assembly (cdk.out) whose
// templates are read, or else a tree walked for templates, assemblies and plans. Each file is read
// once, however many arguments, links or manifests lead to it.
import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FileError, FolderInput, SourceText } from './check';
import { assemblyInputs, isCloudAssembly, type Location } from './cloud-assembly';
import { walkFolder } from './folder-walk';
import { ReadOnce } from './read-once';
import { describeFsError, notRegularFile, readRegularFile, UnreadableFile } from './regular-files';

/** What was read, in the order of the paths given: a file's text, why it could not be read, or
 * what a folder held. */
export type ReadInput = SourceText | FileError | FolderInput;

export interface ReadOptions {
  /** The folder relative paths start from; the process's working folder when not given. Names in
   * the report stay as given. */
  cwd?: string;
}

async function readFolder(folder: Location, reads: ReadOnce): Promise<FolderInput> {
  if (!(await isCloudAssembly(folder.path, await readdir(folder.path, { withFileTypes: true })))) return walkFolder(folder, reads);
  const repeatsBefore = reads.repeats;
  const inputs = await assemblyInputs(folder, reads);
  return { folder: folder.name, kind: 'cloud-assembly', inputs, terraformConfigurations: 0, alreadyRead: reads.repeats > repeatsBefore };
}

async function readPath(location: Location, reads: ReadOnce): Promise<ReadInput | undefined> {
  const info = await stat(location.path);
  if (info.isDirectory()) return readFolder(location, reads);
  // Checked before opening: opening some devices has effects of its own.
  if (!info.isFile()) return { file: location.name, error: notRegularFile(info) };
  const { text, identity } = await readRegularFile(location.path);
  return reads.first(identity) ? { file: location.name, text } : undefined;
}

export async function readInputs(paths: readonly string[], options: ReadOptions = {}): Promise<ReadInput[]> {
  const cwd = options.cwd ?? process.cwd();
  const reads = new ReadOnce();
  const inputs: ReadInput[] = [];
  for (const name of paths) {
    try {
      const input = await readPath({ path: resolve(cwd, name), name }, reads);
      if (input) inputs.push(input);
    } catch (error) {
      inputs.push({ file: name, error: error instanceof UnreadableFile ? error.message : describeFsError(error) });
    }
  }
  return inputs;
}
