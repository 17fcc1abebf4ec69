// The embedded results store: dynalite (DynamoDB's API, in memory or persisted under .rotor/) on
// loopback, with the results table created on first use, and the account scans in a folder
// beside it (or in memory). Lets `rotor run --local` and the reports work with no AWS table.
import { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { MemoryObjectStore } from '../functions/store/object-store';
import { ResultsStore, type ResultsStoreOptions } from '../functions/store/results-store';
import { closeDynaliteIterators } from './dynalite-iterators';
import { FileObjectStore } from './file-object-store';
import { createTableInput } from '../functions/store/table-schema';

export const EMBEDDED_TABLE = 'kms-rotor-results';

export interface EmbeddedStore {
  store: ResultsStore;
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1; `path` persists it (a folder, whose parent also holds the account
 * scans under scans/), without it the store is in memory.
 */
export async function startEmbeddedStore(options: { path?: string } & ResultsStoreOptions = {}): Promise<EmbeddedStore> {
  const dynamo = await listenDynalite(options.path);
  // The embedded store is ours, so its endpoint and throwaway credentials are set here explicitly;
  // they never leak into the clients that talk to AWS.
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
    maxAttempts: 3,
  });
  await ensureTable(client, EMBEDDED_TABLE);
  return {
    store: new ResultsStore(client, EMBEDDED_TABLE, options.path ? new FileObjectStore(dirname(options.path)) : new MemoryObjectStore(), options),
    endpoint: dynamo.endpoint,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}

/** dynalite listening on 127.0.0.1 (persisted under `path`, or in memory), tables created at once. */
export async function listenDynalite(path?: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  if (path) mkdirSync(path, { recursive: true });
  closeDynaliteIterators();
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Creates the table when missing and waits until it (and its indexes) are ACTIVE. */
async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const indexesReady = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
      if (Table?.TableStatus === 'ACTIVE' && indexesReady) return;
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the embedded table ${tableName} did not become ACTIVE`);
}
