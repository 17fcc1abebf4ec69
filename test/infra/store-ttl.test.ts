// The table's TTL attribute (table-schema.ts, which the CDK table sets) is the attribute the
// results store writes, in epoch seconds RETENTION_DAYS ahead; run records and exceptions carry none.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MemoryObjectStore } from '../../functions/store/object-store';
import { ResultsStore } from '../../functions/store/results-store';
import { TTL_ATTRIBUTE } from '../../functions/store/table-schema';

const NOW = new Date('2026-03-01T00:00:00Z');
const DAY_S = 86_400;

function recordingStore(retentionDays?: number) {
  const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const store = new ResultsStore(client, 'results', new MemoryObjectStore(), { retentionDays, now: () => NOW });
  const items: Record<string, unknown>[] = [];
  jest.spyOn(store.doc, 'send').mockImplementation(async (command: any) => {
    const input = command.input;
    if (input.Item) items.push(input.Item);
    for (const request of Object.values<any>(input.RequestItems ?? {}).flat()) if (request.PutRequest) items.push(request.PutRequest.Item);
    return {} as never;
  });
  return { store, items };
}

test.each([[undefined, 90], [400, 400]])('retentionDays %s: per-run and per-key items get ttl %s days on', async (retentionDays, days) => {
  const { store, items } = recordingStore(retentionDays);
  const summary = { runId: 'r1', accountId: '111122223333', name: '', priority: false, regions: [], scannedRegions: [], counts: {}, errorCount: 0 };
  await store.putAccountSummary(summary);
  await store.putErrors([{ runId: 'r1', accountId: '111122223333', phase: 'scan', error: 'x', at: NOW.toISOString() }]);
  await store.putWaves([{ runId: 'r1', wave: 1, accounts: ['111122223333'], keyCount: 1, slices: [] }]);
  expect(items).toHaveLength(3);
  for (const item of items) expect(item[TTL_ATTRIBUTE]).toBe(NOW.getTime() / 1000 + days * DAY_S);
});

test('run records and exceptions have no ttl: they are kept', async () => {
  const { store, items } = recordingStore();
  await store.addException({ target: '111122223333', owner: 'o', reason: 'r', expiresAt: '2027-01-01', createdAt: NOW.toISOString() } as never);
  await store.setLatestScan('111122223333', 'r1');
  expect(items).toHaveLength(2);
  for (const item of items) expect(item).not.toHaveProperty(TTL_ATTRIBUTE);
});
