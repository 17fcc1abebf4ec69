// The Security Hub export at a local run's end (ExportToSecurityHub after Finalize): when
// BatchImportFindings fails, the state machine's Catch keeps the run's outcome and findings and
// names the failure in the run's output; when it succeeds, every finding of the run is sent once.
import { SecurityHubClient, type AwsSecurityFinding, type BatchImportFindingsCommandInput } from '@aws-sdk/client-securityhub';
import type { SecurityHubTarget } from '../../functions/aws/security-hub';
import { CONTROLS } from '../../functions/core/controls';
import { STANDARD, standardScenarioPath } from '../scenarios';
import { useHarness, type Harness } from '../support/harness';

const REGION = 'us-east-1';

/**
 * The management account's hub, its BatchImportFindings answered in the client itself (no network):
 * each request's findings recorded, then `answer` says what the hub replies or throws.
 */
function hubAnswering(answer: (findings: AwsSecurityFinding[]) => object): { target: () => Promise<SecurityHubTarget>; sent: AwsSecurityFinding[] } {
  const sent: AwsSecurityFinding[] = [];
  const target = async (): Promise<SecurityHubTarget> => {
    const client = new SecurityHubClient({ region: REGION });
    client.middlewareStack.add(
      () => async (args) => {
        const { Findings = [] } = args.input as BatchImportFindingsCommandInput;
        sent.push(...Findings);
        return { output: { $metadata: {}, ...answer(Findings) }, response: {} };
      },
      { step: 'initialize', name: 'hubAnswering' },
    );
    return { client, context: { awsAccountId: STANDARD.managementAccountId, partition: 'aws', region: REGION, controls: CONTROLS } };
  };
  return { target, sent };
}

const notSubscribed = () => {
  throw Object.assign(new Error(`Account ${STANDARD.managementAccountId} is not subscribed to AWS Security Hub`), { name: 'InvalidAccessException' });
};

/** What a run's outcome is, apart from its id and times. */
async function outcomeOf(h: Harness, runId: string) {
  const run = (await h.embedded.store.getRun(runId))!;
  const findings = (await h.findings(runId)).map((f) => `${f.keyArn} ${f.status}`).sort();
  return { status: run.status, summary: run.summary, errorCount: run.errorCount, accountCount: run.accountCount, findings };
}

describe('ExportToSecurityHub at the end of a local scan', () => {
  const h = useHarness({ scenario: standardScenarioPath });

  it('a failed export leaves the run SUCCEEDED with the same counts and findings, and its output names the failure', async () => {
    const plain = await h.run({ mode: 'scan' });
    expect(plain.executionStatus).toBe('SUCCEEDED');
    expect(plain.output).not.toHaveProperty('securityHubExportFailure');

    const hub = hubAnswering(notSubscribed);
    const exported = await h.run({ mode: 'scan' }, { securityHub: hub.target });
    expect(exported.executionStatus).toBe('SUCCEEDED');
    // The export was attempted: the first batch reached the (refusing) hub.
    expect(hub.sent.length).toBeGreaterThan(0);
    expect(exported.output).toMatchObject({
      status: 'SUCCEEDED',
      securityHubExportFailure: { Error: 'InvalidAccessException', Cause: expect.stringContaining('not subscribed to AWS Security Hub') },
    });
    expect(exported.output).not.toHaveProperty('securityHub');

    const before = await outcomeOf(h, plain.runId);
    expect(before.findings.length).toBeGreaterThan(20);
    expect(await outcomeOf(h, exported.runId)).toEqual(before);
    // The output but for the failure is the plain run's, drift apart: the later run's drift is against the earlier one.
    const { runId: _plainId, drift: _firstDrift, ...plainOutput } = plain.output as Record<string, unknown>;
    const { runId: _exportedId, drift: _secondDrift, securityHubExportFailure: _failure, ...exportedOutput } = exported.output as Record<string, unknown>;
    expect(exportedOutput).toEqual(plainOutput);
  });

  it('a successful export sends each finding of the run once, and says how many were imported', async () => {
    const hub = hubAnswering((findings) => ({ FailedCount: 0, SuccessCount: findings.length, FailedFindings: [] }));
    const result = await h.run({ mode: 'scan' }, { securityHub: hub.target });
    expect(result.executionStatus).toBe('SUCCEEDED');
    const findings = await h.findings(result.runId);
    expect(findings.length).toBeGreaterThan(20);
    expect(hub.sent).toHaveLength(findings.length);
    expect(hub.sent.map((f) => f.Resources![0].Id).sort()).toEqual(findings.map((f) => f.keyArn).sort());
    expect(result.output).toMatchObject({ status: 'SUCCEEDED', securityHub: { imported: findings.length, failed: 0 } });
    expect(result.output).not.toHaveProperty('securityHubExportFailure');
  });
});
