// The results store's waves and key history items read through their schemas (core/schemas.ts
// WaveRecord, KeyChange) on the embedded store (dynalite): what was written reads back as it was,
// and a malformed item is an error naming the item and its field, never a silent cast.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { newRun } from '../../functions/core/runs';
import { ExecutionInput, type Finding, type KeyChange, type WaveRecord } from '../../functions/core/schemas';
import { keys } from '../../functions/store/layout';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';

const RUN = 'stored-items';
const ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-1`;
let embedded: EmbeddedStore;

beforeAll(async () => {
  embedded = await startEmbeddedStore();
});
afterAll(async () => {
  await embedded?.close();
});

const putRaw = (item: Record<string, unknown>) => embedded.store.doc.send(new PutCommand({ TableName: embedded.store.tableName, Item: item }));

test('a wave reads back as written; one whose slices lost a count names the field', async () => {
  const wave: WaveRecord = { runId: RUN, wave: 1, accounts: [ACCOUNT], keyCount: 3, slices: [{ accountId: ACCOUNT, start: 0, count: 3 }] };
  await embedded.store.putWaves([wave, { ...wave, wave: 2, keyCount: 1, slices: [{ accountId: ACCOUNT, start: 3, count: 1 }] }]);
  expect(await embedded.store.getWave(RUN, 1)).toEqual(wave);

  await putRaw({ ...keys.wave(RUN, 3), type: 'wave', runId: RUN, wave: 3, accounts: [ACCOUNT], keyCount: 1, slices: [{ accountId: ACCOUNT, start: 4 }] });
  await expect(embedded.store.getWave(RUN, 3)).rejects.toThrow(/malformed wave \(RUN#stored-items \/ WAVE#000003\): slices\.0\.count: /);
  const read: number[] = [];
  const reading = (async () => {
    for await (const w of embedded.store.waves(RUN)) read.push(w.wave);
  })();
  await expect(reading).rejects.toThrow(/malformed wave .*slices\.0\.count: /);
  expect(read).toEqual([1, 2]);
});

test("a key's history reads its changes through the schema; a change of an unknown kind names the field", async () => {
  const config = ExecutionInput.parse({});
  await embedded.store.createRun({ ...newRun(RUN, config, new Date('2026-12-02T10:00:00Z')), status: 'SUCCEEDED' });
  await embedded.store.putAccountSummary({
    runId: RUN, accountId: ACCOUNT, name: 'member', priority: false, regions: ['us-east-1'], scannedRegions: ['us-east-1'],
    scannedAt: '2026-12-02T10:01:00.000Z', counts: { NON_COMPLIANT: 1 }, errorCount: 0,
  });
  const finding: Finding = {
    runId: RUN, accountId: ACCOUNT, region: 'us-east-1', keyId: 'k-1', keyArn: KEY_ARN, status: 'NON_COMPLIANT', rotationEnabledBefore: false, scannedAt: '2026-12-02T10:01:00.000Z',
  };
  const change: KeyChange = { keyArn: KEY_ARN, runId: RUN, accountId: ACCOUNT, region: 'us-east-1', keyId: 'k-1', kind: 'new', at: finding.scannedAt, finding };
  await embedded.store.putKeyChanges([change]);
  const history: Finding[] = [];
  for await (const f of embedded.store.keyHistory(KEY_ARN)) history.push(f);
  expect(history.map((f) => [f.runId, f.status])).toEqual([[RUN, 'NON_COMPLIANT']]);

  await putRaw({ ...keys.history(KEY_ARN, RUN, 'remediation'), type: 'history', ...change, kind: 'renamed' });
  const reading = (async () => {
    for await (const f of embedded.store.keyHistory(KEY_ARN)) void f;
  })();
  await expect(reading).rejects.toThrow(/malformed key history item \(KEY#arn:aws:kms:us-east-1:111122223333:key\/k-1 \/ stored-items#remediation\): kind: /);
});
