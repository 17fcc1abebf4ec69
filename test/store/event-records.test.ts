// Handled events read by the time they were handled (store.eventRecordsBetween over the index's
// EVENTS#<day> partitions) on the embedded store: the window's bounds, events on several days,
// days past the retention left unread, O(events) items read, and a malformed record named.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventRecord } from '../../functions/core/key-event';
import { keys } from '../../functions/store/layout';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';

const ACCOUNT = '111122223333';
let embedded: EmbeddedStore;
beforeAll(async () => {
  embedded = await startEmbeddedStore({ retentionDays: 10 });
});
afterAll(async () => embedded?.close());

const record = (n: number, handledAt: string): EventRecord => ({
  eventId: `ev-${n}`,
  eventName: 'CreateKey',
  eventTime: handledAt,
  principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  region: 'us-east-1',
  keyId: `k-${n}`,
  keyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-${n}`,
  outcome: 'recorded',
  handledAt,
});

async function between(from: string, to: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of embedded.store.eventRecordsBetween(from, to)) ids.push(r.eventId);
  return ids;
}

test('the events handled at or after from and before to, oldest first, across days; none before the retention', async () => {
  const times = ['2026-11-01T10:00:00.000Z', '2026-11-20T23:59:59.000Z', '2026-11-21T00:00:00.000Z', '2026-11-21T08:00:00.000Z', '2026-11-22T09:00:00.000Z'];
  for (const [i, at] of times.entries()) await embedded.store.putEventRecord(record(i, at));
  // The key's own history keeps each too (the same item).
  expect(await embedded.store.getEventRecord(record(3, times[3]).keyArn, 'ev-3')).toEqual(record(3, times[3]));

  expect(await between('2026-11-20T00:00:00.000Z', '2026-11-22T09:00:00.000Z')).toEqual(['ev-1', 'ev-2', 'ev-3']);
  expect(await between('2026-11-21T00:00:00.000Z', '2026-11-23T00:00:00.000Z')).toEqual(['ev-2', 'ev-3', 'ev-4']);
  expect(await between('2026-11-21T08:00:00.000Z', '2026-11-21T08:00:00.000Z')).toEqual([]);
  expect(await between('2026-11-21T08:00:00.000Z', '2026-11-21T07:59:59.000Z')).toEqual([]);
  // ev-0 is 21 days before `to`: past the 10-day retention, its day is not read (the record has expired in DynamoDB).
  expect(await between('2026-10-01T00:00:00.000Z', '2026-11-21T00:00:00.000Z')).toEqual(['ev-1']);

  // Reads are the events of the window, whatever else the table holds.
  await embedded.store.putKeyChanges(Array.from({ length: 30 }, (_, i) => ({ keyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/h-${i}`, runId: 'r1', accountId: ACCOUNT, region: 'us-east-1', keyId: `h-${i}`, at: times[2], kind: 'gone' })));
  const before = embedded.store.counters.itemsRead;
  expect(await between('2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z')).toEqual(['ev-2', 'ev-3']);
  expect(embedded.store.counters.itemsRead - before).toBe(2);
});

test('a malformed event record is an error naming it', async () => {
  const bad = { ...record(9, '2026-11-25T00:00:00.000Z'), outcome: 'lost' };
  await embedded.store.doc.send(new PutCommand({ TableName: embedded.store.tableName, Item: { ...keys.event(bad.keyArn, bad.eventId), ...keys.eventsIndex(bad.handledAt, bad.eventId), type: 'event', ...bad } }));
  await expect(between('2026-11-25T00:00:00.000Z', '2026-11-26T00:00:00.000Z')).rejects.toThrow(/malformed event record \(KEY#arn:aws:kms:us-east-1:111122223333:key\/k-9 \/ EVENT#ev-9\): outcome: /);
});
