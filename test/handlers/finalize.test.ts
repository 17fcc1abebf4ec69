// Finalize: the run's summary and end status, and no account left silently missing.
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { newRun } from '../../functions/core/runs';
import { ExecutionInput } from '../../functions/core/schemas';
import { step as finalize } from '../../functions/handlers/finalize';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';

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
