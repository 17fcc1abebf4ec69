// What every `rotor` command shares: where the results store is (the embedded one under .rotor/,
// or a DynamoDB table), and how output reaches stdout or a file.
import { createWriteStream, mkdirSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { writableSink, type ReportSink } from '../functions/core/report';
import { ResultsStore } from '../functions/store/results-store';
import { startEmbeddedStore } from '../local/embedded-store';
import type { Command } from 'commander';
import { UsageError } from './errors';

export interface StoreOptions {
  table?: string;
  dataDir?: string;
}

export interface OpenStore {
  store: ResultsStore;
  /** Where the store is, for messages. */
  where: string;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.rotor';

/** The options every command that reads the store takes: `--table` or the embedded store's folder. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--table <name>', 'use this DynamoDB results table (default: the embedded store)')
    .option('--data-dir <dir>', 'where the embedded store lives', DEFAULT_DATA_DIR);
}

/** `--format table|json` of the listing commands. */
export function tableOrJson(format: string): 'table' | 'json' {
  if (format === 'table' || format === 'json') return format;
  throw new UsageError(`--format: "${format}" is not table or json`);
}

/** The results store a command reads and writes: `--table` names a DynamoDB table, else the embedded store. */
export async function openStore(options: StoreOptions): Promise<OpenStore> {
  if (options.table) {
    const client = new DynamoDBClient({ retryMode: 'adaptive', maxAttempts: 8 });
    return { store: new ResultsStore(client, options.table), where: `DynamoDB table ${options.table}`, close: async () => client.destroy() };
  }
  const path = join(resolve(options.dataDir ?? DEFAULT_DATA_DIR), 'db');
  try {
    const embedded = await startEmbeddedStore({ path });
    return { store: embedded.store, where: `the embedded store in ${path}`, close: embedded.close };
  } catch (error) {
    if (/lock/i.test(String((error as Error).message))) {
      throw new UsageError(`the embedded store in ${path} is in use by another rotor command; wait for it to finish`);
    }
    throw error;
  }
}

/** Fails before any work when `--out FILE` cannot be written (exit 2, nothing written). */
export async function checkWritable(file: string | undefined): Promise<void> {
  if (!file) return;
  const dir = dirname(resolve(file));
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${file}: cannot write there (folder ${dir} is missing or not writable)`);
  }
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

/** Progress and notes go to stderr, so stdout stays the report. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
