// What every `rotor` command shares: where the results store is (the embedded one under .rotor/,
// or a DynamoDB table), and how output reaches stdout or a file.
import { createWriteStream, mkdirSync, type Stats } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { dynamodbClient } from '../functions/aws/clients/dynamodb';
import { writableSink, type ReportSink } from '../report';
import { S3ObjectStore } from '../functions/store/object-store';
import { ResultsStore } from '../functions/store/results-store';
import { startEmbeddedStore } from '../local/embedded-store';
import { runAsSeen } from '../functions/core/runs';
import type { RunRecord } from '../functions/core/schemas';
import { hostname } from 'node:os';
import { checkStoreFolder, lockHolderOf, lockStore, pidAlive, probeStore } from './store-lock';
import type { Command } from 'commander';
import { UsageError } from './errors';
import { showsNotes } from './progress';

export interface StoreOptions {
  table?: string;
  /** The bucket of account scans beside `--table` (the deployment's ManifestBucketName). */
  bucket?: string;
  dataDir?: string;
}

export interface OpenStore {
  store: ResultsStore;
  /** Where the store is, for messages. */
  where: string;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.rotor';
/** The environment variable naming the bucket of account scans (beside $KMS_ROTOR_TABLE). */
export const BUCKET_ENV = 'KMS_ROTOR_BUCKET';

/** The options every command that reads the store takes: `--table` or the embedded store's folder. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--table <name>', 'use this DynamoDB results table (default: the embedded store)')
    .option('--bucket <name>', 'with --table: the S3 bucket of account scans (default $KMS_ROTOR_BUCKET)')
    .option('--data-dir <dir>', 'where the embedded store lives', DEFAULT_DATA_DIR);
}

/**
 * What a command does with the embedded store. Reading never creates it: a folder with no store
 * reads as an empty one (no runs, no exceptions), and nothing is written to disk.
 */
export type StoreAccess = 'read' | 'write';

/** How the CLI reads a run record: a RUNNING local run whose process is gone is INTERRUPTED. */
export function runView(run: RunRecord): RunRecord {
  return runAsSeen(run, { host: hostname(), isAlive: pidAlive, now: new Date() });
}

/** Who opens the store, for the lock's message to a second command: the run id of a run. */
export interface StoreHolder {
  command?: string;
  runId?: string;
}

function commandName(): string {
  return process.argv.slice(2).filter((a) => !a.startsWith('-')).slice(0, 2).join(' ') || 'rotor';
}

/**
 * The results store a command reads and writes: `--table` names a DynamoDB table, else the
 * embedded store, which one process at a time can hold (cli/store-lock.ts): a second command is
 * refused with who holds it (exit 2), and a damaged store is refused with how to recover.
 */
export async function openStore(options: StoreOptions, access: StoreAccess = 'write', holder: StoreHolder = {}): Promise<OpenStore> {
  if (options.table) {
    const bucket = options.bucket ?? process.env[BUCKET_ENV];
    if (!bucket) throw new UsageError(`--table ${options.table} needs the bucket of its account scans: give --bucket (the stack's ManifestBucketName output) or $${BUCKET_ENV}`);
    const client = dynamodbClient();
    const objects = new S3ObjectStore(bucket);
    return {
      store: new ResultsStore(client, options.table, objects, { runView }),
      where: `DynamoDB table ${options.table} and bucket ${bucket}`,
      close: async () => {
        client.destroy();
        objects.destroy();
      },
    };
  }
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const path = join(dataDir, 'db');
  const exists = await checkStoreLocation(options, access);
  if (!exists && access === 'read') {
    note(`no results store in ${dirname(path)} yet: nothing has run with this --data-dir`);
    const empty = await startEmbeddedStore({ runView });
    return { store: empty.store, where: `an empty store (none in ${path})`, close: empty.close };
  }
  if (access === 'write') mkdirSync(dataDir, { recursive: true });
  const release = lockStore(dataDir, holder.command ?? commandName(), access, holder.runId);
  try {
    if (exists) {
      checkStoreFolder(path);
      await probeStore(path, () => lockHolderOf(dataDir));
    }
    const embedded = await startEmbeddedStore({ path, runView });
    return {
      store: embedded.store,
      where: `the embedded store in ${path}`,
      close: async () => {
        try {
          await embedded.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    if (error instanceof UsageError) throw error;
    if (/lock/i.test(String((error as Error).message))) {
      throw new UsageError(`the embedded store in ${path} is in use by another process; try again when it ends`);
    }
    throw new UsageError(`the embedded store in ${path} cannot be opened (${(error as Error).message}): restore it from a backup, or move it away to start an empty store`);
  }
}

type PathKind = 'file' | 'folder' | 'other' | 'missing';

/** What is at `path`; a path through a file (ENOTDIR) or one that cannot be looked at is a usage error. */
async function pathKind(path: string, describe: (reason: string) => string): Promise<PathKind> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') throw new UsageError(describe(`${await fileOnTheWay(path)} is a file, not a folder`));
    throw new UsageError(describe(`${path} cannot be looked at (${code ?? (error as Error).message})`));
  }
  if (stats.isDirectory()) return 'folder';
  // Character devices too: `--out /dev/stdout` is a file to write to.
  return stats.isFile() || stats.isCharacterDevice() ? 'file' : 'other';
}

/** The file that stands where a folder of `path` should be (the cause of ENOTDIR). */
async function fileOnTheWay(path: string): Promise<string> {
  for (let folder = dirname(path); folder !== dirname(folder); folder = dirname(folder)) {
    const stats = await stat(folder).catch(() => undefined);
    if (stats && !stats.isDirectory()) return folder;
  }
  return path;
}

async function isWritable(path: string): Promise<boolean> {
  return access(path, constants.W_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Checks `--data-dir` before any work (exit 2, nothing created): it must be a folder, or not exist
 * yet for a command that writes (then its nearest existing parent must be a writable folder).
 * Returns whether the store exists; true for `--table`, which is not ours to check.
 */
export async function checkStoreLocation(options: StoreOptions, access: StoreAccess): Promise<boolean> {
  if (options.table) return true;
  const given = options.dataDir ?? DEFAULT_DATA_DIR;
  const problem = (reason: string) => `--data-dir ${given}: ${reason}`;
  if (given.trim() === '') throw new UsageError(problem('is empty; give a folder (default .rotor)'));
  const dataDir = resolve(given);
  const dataDirKind = await pathKind(dataDir, problem);
  if (dataDirKind !== 'folder' && dataDirKind !== 'missing') throw new UsageError(problem('is a file, not a folder'));
  const db = join(dataDir, 'db');
  const dbKind = dataDirKind === 'folder' ? await pathKind(db, problem) : 'missing';
  if (dbKind !== 'folder' && dbKind !== 'missing') throw new UsageError(problem(`${db} is a file, not the store's folder`));
  if (access === 'read') return dbKind === 'folder';
  let existing = db;
  while ((await pathKind(existing, problem)) === 'missing') existing = dirname(existing);
  if ((await pathKind(existing, problem)) !== 'folder') throw new UsageError(problem(`${existing} is a file, not a folder`));
  if (!(await isWritable(existing))) throw new UsageError(problem(`cannot write there (folder ${existing} is not writable)`));
  return dbKind === 'folder';
}

/**
 * Fails before any work when `--out FILE` cannot be written (exit 2, nothing written): it must
 * name a file, not a folder, in a folder that exists, and be writable.
 */
export async function checkWritable(file: string | undefined): Promise<void> {
  if (file === undefined) return;
  const cannot = (reason: string) => `--out ${file}: cannot write there (${reason})`;
  if (file.trim() === '') throw new UsageError('--out: is empty; give a file name, or leave --out out for stdout');
  if (/[\\/]$/.test(file)) throw new UsageError(cannot('it names a folder; give a file name'));
  const path = resolve(file);
  const kind = await pathKind(path, cannot);
  if (kind === 'folder') throw new UsageError(cannot('it is a folder; give a file name'));
  if (kind === 'other') throw new UsageError(cannot('it is not a regular file'));
  if (kind === 'file') {
    if (!(await isWritable(path))) throw new UsageError(cannot('the file is not writable'));
    return;
  }
  const dir = dirname(path);
  const dirKind = await pathKind(dir, cannot);
  if (dirKind === 'missing') throw new UsageError(cannot(`folder ${dir} is missing`));
  if (dirKind !== 'folder') throw new UsageError(cannot(`${dir} is a file, not a folder`));
  if (!(await isWritable(dir))) throw new UsageError(cannot(`folder ${dir} is not writable`));
}

/** A sink to `--out FILE` or stdout; `done()` flushes and closes a file. */
export function outputSink(file: string | undefined): { sink: ReportSink; done(): Promise<void> } {
  if (!file) return { sink: writableSink(process.stdout), done: async () => undefined };
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const stream = createWriteStream(file);
  return {
    sink: writableSink(stream),
    done: () => new Promise((resolvePromise, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolvePromise()))),
  };
}

/** Progress and notes go to stderr, so stdout stays the report; `--quiet` silences notes. */
export function note(message: string): void {
  if (showsNotes()) process.stderr.write(`${message}\n`);
}
