// Finalize: the run's summary and end status, no account left silently missing, and the drift
// message naming the key events handled in the run's window (from the previous run of its scope).
import { MemoryManifestStore } from '../../functions/aws/manifests';
import type { DriftNotice } from '../../functions/aws/notifications';
import { newRun } from '../../functions/core/runs';
import { ExecutionInput } from '../../functions/core/schemas';
import { step as finalize } from '../../functions/handlers/finalize';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { memberEventRecord, recordScannedRun, SCANNED_MEMBER, SCANNED_REGION } from '../support/scanned-run';

let embedded: EmbeddedStore;
beforeAll(async () => {
  embedded = await startEmbeddedStore();
});
afterAll(() => embedded.close());

const account = (accountId: string) => ({ accountId, name: accountId, parentIds: [], tags: {}, priority: false });

it('records an error for an account the scan map gave up on without one, and counts the findings', async () => {
  const config = ExecutionInput.parse({});
  const store = embedded.store;
  await store.createRun(newRun('fin-1', config, new Date('2026-11-01T00:00:00Z')));
  const manifests = new MemoryManifestStore();
  await manifests.put('fin-1', 'accounts', [account('111111111111'), account('222222222222'), account('333333333333')]);
  await store.updateRun('fin-1', { accountCount: 3 });
  await store.putAccountSummary({
    runId: 'fin-1', accountId: '111111111111', name: 'one', priority: false, regions: ['us-east-1'], scannedRegions: ['us-east-1'],
    scannedAt: '2026-11-01T00:01:00Z', counts: { NON_COMPLIANT: 1, COMPLIANT: 1 }, errorCount: 0,
  });
  await store.putErrors([{ runId: 'fin-1', accountId: '222222222222', phase: 'scan', error: 'MemberAccessDenied: …', at: '2026-11-01T00:01:00Z' }]);

  const out = await finalize({ store, manifests, now: () => new Date('2026-11-01T00:05:00Z') })({ runId: 'fin-1', config });
  expect(out).toMatchObject({ status: 'SUCCEEDED', summary: { NON_COMPLIANT: 1, COMPLIANT: 1 }, errors: 2 });
  const errors = await store.errors('fin-1');
  expect(errors.map((e) => e.accountId).sort()).toEqual(['222222222222', '333333333333']);
  expect(errors.find((e) => e.accountId === '333333333333')?.error).toMatch(/was not scanned/);
  expect(await store.getRun('fin-1')).toMatchObject({ status: 'SUCCEEDED', errorCount: 2, finishedAt: '2026-11-01T00:05:00.000Z' });
});

describe('the drift message', () => {
  const config = ExecutionInput.parse({ regions: [SCANNED_REGION] });
  const finalizeRun = async (runId: string, keys: Parameters<typeof recordScannedRun>[1]['keys'], startedAt: string): Promise<DriftNotice> => {
    const { manifests } = await recordScannedRun(embedded.store, { runId, config, keys, startedAt: new Date(startedAt) });
    const notices: DriftNotice[] = [];
    await finalize({ store: embedded.store, manifests, now: () => new Date(Date.parse(startedAt) + 5 * 60_000), drift: async (n) => void notices.push(n) })({ runId, config });
    expect(notices).toHaveLength(1);
    return notices[0];
  };

  it('names the key events handled from the previous run of the scope to Finalize, each line inert; none outside; no section without events', async () => {
    // The previous run (12-01 10:00): the window of the next one starts there.
    const outside = memberEventRecord('ev-before', 'CreateKey', 'k-old', 'enforced', '2026-12-01T09:59:00.000Z');
    const created = memberEventRecord('ev-create', 'CreateKey', 'k-new', 'enforced', '2026-12-01T12:00:00.000Z');
    const disabled = memberEventRecord('ev-disable', 'DisableKeyRotation', 'k-off', 'recorded', '2026-12-02T10:02:00.000Z', 'arn:aws:iam::111122223333:role/\u001b[2Jmallory\nforged: line');
    for (const record of [outside, created, disabled]) await embedded.store.putEventRecord(record);

    // Its own window (12-01 10:00 to 10:05) holds none of them: the message has no key events part.
    const previous = await finalizeRun('fin-prev', { 'k-on': 'COMPLIANT', 'k-off': 'COMPLIANT' }, '2026-12-01T10:00:00Z');
    expect(previous.message).not.toMatch(/key events|ev-/i);

    const { message } = await finalizeRun('fin-events', { 'k-on': 'COMPLIANT', 'k-off': 'NON_COMPLIANT' }, '2026-12-02T10:00:00Z');
    const lines = message.split('\n');
    expect(lines[3]).toBe('Key events (continuous enforcement): 2 event(s) handled from 2026-12-01T10:00:00.000Z to 2026-12-02T10:05:00.000Z: 1 enforced, 1 recorded, 0 failed.');
    expect(lines.slice(4, -1)).toEqual([
      `2026-12-01T12:00:00.000Z CreateKey ev-create by ${created.principal} at 2026-12-01T11:59:59.000Z: enforced, key ${created.keyArn} (account ${SCANNED_MEMBER}, Region ${SCANNED_REGION})`,
      `2026-12-02T10:02:00.000Z DisableKeyRotation ev-disable by arn:aws:iam::111122223333:role/\\x1B[2Jmallory forged: line at 2026-12-02T10:01:59.000Z: recorded NON_COMPLIANT, key ${disabled.keyArn} (account ${SCANNED_MEMBER}, Region ${SCANNED_REGION})`,
    ]);
    expect(lines.at(-1)).toBe('Details: rotor drift --run-id fin-events');
    expect(message).not.toContain('ev-before');
  });
});
