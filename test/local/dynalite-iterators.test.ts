// The embedded store closes the LevelDB iterator of every Query, whether the query reads to the end,
// stops at its Limit or finds nothing: an iterator left open pins the store's table files on disk
// and in memory for the life of the process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbstractIterator } from 'abstract-level';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';

const iteratorPrototype = Object.getPrototypeOf(AbstractIterator.prototype) as { close(): Promise<void> };

describe.each([['in memory', false], ['on disk', true]])('the embedded store %s', (_name, onDisk) => {
  let embedded: EmbeddedStore;
  let dir: string | undefined;

  beforeAll(async () => {
    dir = onDisk ? mkdtempSync(join(tmpdir(), 'kms-rotor-iterators-')) : undefined;
    embedded = await startEmbeddedStore({ path: dir && join(dir, 'db') });
    const { doc, tableName } = embedded.store;
    for (let i = 0; i < 5; i++) await doc.send(new PutCommand({ TableName: tableName, Item: { pk: 'P', sk: `S${i}` } }));
  });

  afterAll(async () => {
    await embedded.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['reads to the end', { pk: 'P' }, undefined],
    ['stops at its Limit', { pk: 'P' }, 2],
    ['finds nothing', { pk: 'none' }, undefined],
  ])('closes the iterator of a query that %s', async (_what, key, limit) => {
    const close = jest.spyOn(iteratorPrototype, 'close');
    try {
      const { doc, tableName } = embedded.store;
      for (let i = 0; i < 10; i++) {
        await doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': key.pk }, Limit: limit }));
      }
      // A stream closes its iterator as it ends, just after the response is sent.
      await new Promise((resolve) => setTimeout(resolve, 50));
      // At least one iterator per query (a value iterator wraps another).
      expect(close.mock.calls.length).toBeGreaterThanOrEqual(10);
    } finally {
      close.mockRestore();
    }
  });
});
