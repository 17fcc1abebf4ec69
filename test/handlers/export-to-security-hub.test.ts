// ExportToSecurityHub against moto: with `securityHub` in its dependencies (what its Lambda
// entry point gives it), the run's findings, once Finalize recorded the run, reach the hub of the
// account it runs in, one per key.
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { securityHubTarget } from '../../functions/aws/security-hub';
import { CONTROLS } from '../../functions/core/controls';
import { ExecutionInput } from '../../functions/core/schemas';
import { step as exportToSecurityHub } from '../../functions/handlers/export-to-security-hub';
import { step as finalize } from '../../functions/handlers/finalize';
import { MANAGEMENT_ACCOUNT, useMotoSuite } from '../conformance/moto-org';
import { recordScannedRun, SCANNED_REGION } from '../support/scanned-run';

const suite = useMotoSuite({ embeddedStore: true });

test("ExportToSecurityHub after Finalize: the run's findings imported into the hub of the account it runs in", async () => {
  const { store } = suite.embedded;
  const config = ExecutionInput.parse({});
  const { findings, manifests } = await recordScannedRun(store, { runId: 'fin-hub', config, keys: { 'k-on': 'COMPLIANT', 'k-off': 'NON_COMPLIANT', 'k-rsa': 'NOT_APPLICABLE' } });

  const deps = { store, manifests, now: () => new Date('2026-12-02T10:05:00Z'), securityHub: () => securityHubTarget(CONTROLS) };
  await finalize(deps)({ runId: 'fin-hub', config });
  expect(await exportToSecurityHub(deps)({ runId: 'fin-hub' })).toEqual({ imported: 3, failed: 0 });
  const client = new SecurityHubClient({ region: SCANNED_REGION });
  const hub = (await client.send(new GetFindingsCommand({ MaxResults: 100 }))).Findings ?? [];
  client.destroy();
  expect(hub.map((f) => [f.Resources![0].Id, f.Compliance?.Status, f.AwsAccountId]).sort()).toEqual(
    [
      [findings[0].keyArn, 'PASSED', MANAGEMENT_ACCOUNT],
      [findings[1].keyArn, 'FAILED', MANAGEMENT_ACCOUNT],
      [findings[2].keyArn, 'NOT_AVAILABLE', MANAGEMENT_ACCOUNT],
    ].sort(),
  );
});
