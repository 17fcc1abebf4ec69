// Walks a folder for what check-template reads: CloudFormation templates, CDK cloud assemblies and
// Terraform plan JSON. It skips node_modules, .git and what .gitignore files list (from the
// repository's root down), but not cloud assemblies: `cdk init` lists cdk.out in .gitignore, and
// what `cdk synth` wrote is what the check is for. Links are not followed, as git does not.
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { FileError, FolderInput, SourceText } from './check';
import { assemblyInputs, isCloudAssembly, type Location } from './cloud-assembly';
import { isTerraformConfiguration } from './documents';
import { isIgnored, parseIgnoreRules, type IgnoreFile } from './gitignore';
import { fileIdentity, type ReadOnce } from './read-once';
import { describeFsError, readRegularFile, UnreadableFile } from './regular-files';

const ALWAYS_SKIPPED = new Set(['node_modules', '.git']);
/** The names templates and plans are written under. */
const CANDIDATE_FILE = /\.(json|ya?ml|template)$/i;
/** Every template has a Resources section and every plan a format_version: a file with neither
 * word is not parsed at all (package-lock.json, data files). */
const TEMPLATE_OR_PLAN_WORD = /Resources|format_version/;

function slashed(path: string): string {
  return path.split(sep).join('/');
}

function sortedByName(entries: Dirent[]): Dirent[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function ignoreFileIn(folder: string, relativeFolder: string): Promise<IgnoreFile | undefined> {
  try {
    return { folder: relativeFolder, rules: parseIgnoreRules((await readRegularFile(join(folder, '.gitignore'))).text) };
  } catch {
    return undefined;
  }
}

/** Where .gitignore paths start (the repository's root, else the folder walked), and the ignore
 * files from there down to the walked folder's parent; the walk reads the folder's own. */
async function repositoryIgnores(folder: string): Promise<{ top: string; files: IgnoreFile[] }> {
  let top = folder;
  while (!(await exists(join(top, '.git')))) {
    if (dirname(top) === top) return { top: folder, files: [] };
    top = dirname(top);
  }
  const ancestors: string[] = [];
  for (let current = folder; current !== top; ) ancestors.unshift((current = dirname(current)));
  const files: IgnoreFile[] = [];
  for (const ancestor of ancestors) {
    const file = await ignoreFileIn(ancestor, slashed(relative(top, ancestor)));
    if (file) files.push(file);
  }
  return { top, files };
}

async function isAssemblyFolder(path: string): Promise<boolean> {
  try {
    return await isCloudAssembly(path, await readdir(path, { withFileTypes: true }));
  } catch {
    return false;
  }
}

/** What the folder at `root` holds for the check, in a depth-first walk in name order; what
 * `reads` has met already is left out. */
export async function walkFolder(root: Location, reads: ReadOnce): Promise<FolderInput> {
  const repeatsBefore = reads.repeats;
  const inputs: Array<SourceText | FileError> = [];
  let terraformConfigurations = 0;

  const readCandidate = async (file: Location) => {
    try {
      const { text, identity } = await readRegularFile(file.path);
      if (reads.first(identity) && TEMPLATE_OR_PLAN_WORD.test(text)) inputs.push({ file: file.name, text, found: 'folder' });
    } catch (error) {
      inputs.push({ file: file.name, error: error instanceof UnreadableFile ? error.message : describeFsError(error) });
    }
  };

  // One push per input, not a spread: an assembly's inputs could outnumber a call's arguments.
  const addAssembly = async (folder: Location) => {
    for (const input of await assemblyInputs(folder, reads)) inputs.push(input);
  };

  const walk = async (folder: Location, relativePath: string, ignores: IgnoreFile[]): Promise<void> => {
    const entries = sortedByName(await readdir(folder.path, { withFileTypes: true }));
    if (await isCloudAssembly(folder.path, entries)) return addAssembly(folder);
    if (!reads.first(fileIdentity(await stat(folder.path)))) return;
    const own = entries.some((entry) => entry.name === '.gitignore' && entry.isFile())
      ? await ignoreFileIn(folder.path, relativePath)
      : undefined;
    const rules = own ? [...ignores, own] : ignores;
    for (const entry of entries) {
      if (ALWAYS_SKIPPED.has(entry.name)) continue;
      const path = relativePath === '' ? entry.name : `${relativePath}/${entry.name}`;
      const child = { path: join(folder.path, entry.name), name: join(folder.name, entry.name) };
      if (entry.isDirectory()) {
        if (!isIgnored(rules, path, true)) {
          await walk(child, path, rules).catch((error: unknown) => inputs.push({ file: child.name, error: describeFsError(error) }));
        } else if (await isAssemblyFolder(child.path)) {
          await addAssembly(child);
        }
      } else if (entry.isFile() && !isIgnored(rules, path, false)) {
        if (isTerraformConfiguration(entry.name)) terraformConfigurations++;
        else if (CANDIDATE_FILE.test(entry.name)) await readCandidate(child);
      }
    }
  };

  const { top, files } = await repositoryIgnores(root.path);
  await walk(root, slashed(relative(top, root.path)), files);
  return { folder: root.name, kind: 'folder', inputs, terraformConfigurations, alreadyRead: reads.repeats > repeatsBefore };
}
