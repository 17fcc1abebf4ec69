// ExportToSecurityHub against moto: with `securityHub` in its dependencies (what its Lambda
// entry point gives it), the run's findings, once Finalize recorded the run, reach the hub of the
// account it runs in, one per key.
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { securityHubTarget } from '../../functions/aws/security-hub';
import { CONTROLS } from '../../functions/core/controls';
import { newRun } from '../../functions/core/runs';
import { ExecutionInput, type Finding } from '../../functions/core/schemas';
import { step as exportToSecurityHub } from '../../functions/handlers/export-to-security-hub';
import { step as finalize } from '../../functions/handlers/finalize';
import { startEmbeddedStore } from '../../local/embedded-store';
import { startMoto, type MotoServer } from '../support/moto';
import { MANAGEMENT_ACCOUNT, useMotoEnvironment } from '../conformance/moto-org';

const REGION = 'us-east-1';
let moto: MotoServer;
let restoreEnv: () => void;

beforeAll(async () => {
  moto = await startMoto();
  restoreEnv = useMotoEnvironment(moto.endpoint);
}, 60_000);

afterAll(async () => {
  restoreEnv?.();
  await moto?.stop();
});

test("ExportToSecurityHub after Finalize: the run's findings imported into the hub of the account it runs in", async () => {
  const embedded = await startEmbeddedStore();
  try {
    const { store } = embedded;
    const config = ExecutionInput.parse({});
    await store.createRun(newRun('fin-hub', config, new Date('2026-12-02T10:00:00Z')));
    const member = '111122223333';
    const key = (keyId: string, status: Finding['status']): Finding => ({
      runId: 'fin-hub', accountId: member, region: REGION, keyId, keyArn: `arn:aws:kms:${REGION}:${member}:key/${keyId}`,
      status, rotationEnabledBefore: status === 'COMPLIANT', scannedAt: '2026-12-02T10:01:00.000Z',
    });
    const findings = [key('k-on', 'COMPLIANT'), key('k-off', 'NON_COMPLIANT'), key('k-rsa', 'NOT_APPLICABLE')];
    await store.putAccountScan({ runId: 'fin-hub', accountId: member, regions: [REGION], scannedRegions: [REGION], findings, errors: [] });
    await store.putAccountSummary({
      runId: 'fin-hub', accountId: member, name: 'member', priority: false, regions: [REGION], scannedRegions: [REGION],
      scannedAt: '2026-12-02T10:01:00.000Z', counts: { COMPLIANT: 1, NON_COMPLIANT: 1, NOT_APPLICABLE: 1 }, errorCount: 0,
    });
    const manifests = new MemoryManifestStore();
    await manifests.put('fin-hub', 'accounts', [{ accountId: member, name: 'member', parentIds: [], tags: {}, priority: false }]);
    await store.updateRun('fin-hub', { accountCount: 1 });

    const deps = { store, manifests, now: () => new Date('2026-12-02T10:05:00Z'), securityHub: () => securityHubTarget(CONTROLS) };
    await finalize(deps)({ runId: 'fin-hub', config });
    expect(await exportToSecurityHub(deps)({ runId: 'fin-hub' })).toEqual({ imported: 3, failed: 0 });
    const client = new SecurityHubClient({ region: REGION });
    const hub = (await client.send(new GetFindingsCommand({ MaxResults: 100 }))).Findings ?? [];
    client.destroy();
    expect(hub.map((f) => [f.Resources![0].Id, f.Compliance?.Status, f.AwsAccountId]).sort()).toEqual(
      [
        [findings[0].keyArn, 'PASSED', MANAGEMENT_ACCOUNT],
        [findings[1].keyArn, 'FAILED', MANAGEMENT_ACCOUNT],
        [findings[2].keyArn, 'NOT_AVAILABLE', MANAGEMENT_ACCOUNT],
      ].sort(),
    );
  } finally {
    await embedded.close();
  }
});
