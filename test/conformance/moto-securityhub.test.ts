// Conformance of the Security Hub export against moto: a scan, a remediation and a scan after a
// key was deleted (local runs on one embedded store), each exported with `rotor securityhub
// export` (a child process on that --data-dir), and moto's GetFindings says what Security Hub holds: one finding per key, updated
// and never duplicated, RESOLVED once remediated, ARCHIVED once the key is gone. The import itself
// (batches of 100, findings Security Hub refuses sent again a bounded number of times) is checked
// in-process against the same moto, its requests seen by moto's recorder.
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { GetFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { asffFindingId, asffOfFinding } from '../../functions/core/asff';
import { CONTROLS } from '../../functions/core/controls';
import type { Finding } from '../../functions/core/schemas';
import { importBatch, securityHubClient } from '../../functions/aws/security-hub';
import { startEmbeddedStore } from '../../local/embedded-store';
import { runLocal } from '../../local/runner';
import { MANAGEMENT_ACCOUNT, createKeys, createOrganization, runCli, useMotoSuite, type CreatedKey } from './moto-org';

const REGION = 'us-east-1';
const KEY_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] };
const suite = useMotoSuite({ scratchDir: 'kms-rotor-moto-securityhub-' });

/** Every finding Security Hub (moto) holds in the caller's account and Region. */
async function hubFindings(): Promise<AwsSecurityFinding[]> {
  const hub = new SecurityHubClient({ region: REGION });
  try {
    const out: AwsSecurityFinding[] = [];
    let NextToken: string | undefined;
    do {
      const page = await hub.send(new GetFindingsCommand({ NextToken, MaxResults: 100 }));
      out.push(...(page.Findings ?? []));
      NextToken = page.NextToken || undefined;
    } while (NextToken);
    return out;
  } finally {
    hub.destroy();
  }
}

/** A key made by a CloudFormation stack, so that deleting the stack deletes the key (KMS itself only schedules deletion). */
async function stackKey(stackName: string): Promise<CreatedKey> {
  const cfn = new CloudFormationClient({ region: REGION });
  try {
    const template = { Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: false, KeyPolicy: KEY_POLICY } } } };
    await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }));
    const resources = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
    const keyId = resources.StackResources?.find((r) => r.LogicalResourceId === 'Key')?.PhysicalResourceId;
    if (!keyId) throw new Error(`stack ${stackName} made no key`);
    // moto keeps a template's KeyPolicy as an object, which its DescribeKey cannot read: set it again as KMS would have it.
    const kms = new KMSClient({ region: REGION });
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(KEY_POLICY) }));
    kms.destroy();
    return { accountId: MANAGEMENT_ACCOUNT, region: REGION, keyId, keyArn: `arn:aws:kms:${REGION}:${MANAGEMENT_ACCOUNT}:key/${keyId}`, kind: 'not-rotating' };
  } finally {
    cfn.destroy();
  }
}

async function deleteStack(stackName: string): Promise<void> {
  const cfn = new CloudFormationClient({ region: REGION });
  try {
    await cfn.send(new DeleteStackCommand({ StackName: stackName }));
  } finally {
    cfn.destroy();
  }
}

interface ExportJson {
  runId: string;
  previousRunId: string | null;
  awsAccountId: string;
  region: string;
  sent: Record<'PASSED' | 'FAILED' | 'NOT_AVAILABLE' | 'ARCHIVED', number>;
  imported: number;
  failed: unknown[];
}

test('one finding per key, updated (never duplicated) by each export: FAILED, then PASSED and RESOLVED after remediation, ARCHIVED once deleted', async () => {
  const org = await createOrganization(['workloads']);
  const member = org.members.workloads;
  const keys = await createKeys([
    { accountId: member, region: REGION, kind: 'not-rotating', count: 2 },
    { accountId: member, region: REGION, kind: 'rotating' },
    { accountId: member, region: REGION, kind: 'asymmetric' },
  ]);
  const doomed = await stackKey('doomed-key');
  const dataDir = join(suite.dir, 'export');
  const cli = (args: string[]) => runCli([...args, '--data-dir', dataDir], suite.moto.endpoint);
  // The runs in this process, on the store the exports (child processes) then open.
  const run = async (runId: string, mode: 'scan' | 'remediate') => {
    const embedded = await startEmbeddedStore({ path: join(dataDir, 'db') });
    try {
      const out = await runLocal({ mode, regions: [REGION], runId }, { store: embedded.store, retryDelayMs: 5 });
      expect({ runId, status: out.executionStatus }).toEqual({ runId, status: 'SUCCEEDED' });
    } finally {
      await embedded.close();
    }
  };
  const exported = async (runId: string | 'latest'): Promise<ExportJson> => {
    const out = await cli(['securityhub', 'export', ...(runId === 'latest' ? ['--latest'] : ['--run-id', runId]), '--output', 'json']);
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(out.stdout) as ExportJson;
  };
  const byKey = (findings: AwsSecurityFinding[]) => new Map(findings.map((f) => [f.Resources![0].Id!, f]));
  const notRotating = [...keys.filter((k) => k.kind === 'not-rotating'), doomed];
  const rotating = keys.find((k) => k.kind === 'rotating')!;
  const asymmetric = keys.find((k) => k.kind === 'asymmetric')!;

  // The scan: every key of both accounts (and the AWS-managed ones moto lists, if any) once.
  await run('sh-scan', 'scan');
  // Bad input: exit 2, nothing sent.
  const unknown = await cli(['securityhub', 'export', '--run-id', 'nope']);
  expect({ code: unknown.code, stderr: unknown.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('unknown run id "nope"') });
  const both = await cli(['securityhub', 'export', '--run-id', 'sh-scan', '--latest']);
  expect({ code: both.code, stderr: both.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('give --run-id or --latest, not both') });
  expect(await hubFindings()).toEqual([]);
  const first = await exported('sh-scan');
  expect(first).toMatchObject({ runId: 'sh-scan', previousRunId: null, awsAccountId: MANAGEMENT_ACCOUNT, region: REGION, failed: [] });
  const afterScan = await hubFindings();
  expect(afterScan.length).toBe(first.imported);
  expect(new Set(afterScan.map((f) => f.Id)).size).toBe(afterScan.length);
  const scanned = byKey(afterScan);
  for (const key of [...keys, doomed]) expect(scanned.get(key.keyArn)?.Id).toBe(asffFindingId(key.keyArn));
  for (const key of notRotating) expect(scanned.get(key.keyArn)).toMatchObject({ Compliance: { Status: 'FAILED' }, Workflow: { Status: 'NEW' }, RecordState: 'ACTIVE' });
  expect(scanned.get(rotating.keyArn)).toMatchObject({ Compliance: { Status: 'PASSED' }, RecordState: 'ACTIVE' });
  expect(scanned.get(asymmetric.keyArn)).toMatchObject({ Compliance: { Status: 'NOT_AVAILABLE' }, RecordState: 'ACTIVE' });
  expect(scanned.get(rotating.keyArn)?.Compliance?.RelatedRequirements).toEqual(expect.arrayContaining([expect.stringContaining('KMS.4'), expect.stringContaining('CCE-78920-6')]));
  expect(first.sent).toEqual({ PASSED: 1, FAILED: 3, NOT_AVAILABLE: first.imported - 4, ARCHIVED: 0 });

  // The remediation turns the three keys on: the same findings, PASSED and RESOLVED.
  await run('sh-fix', 'remediate');
  const second = await exported('sh-fix');
  expect(second).toMatchObject({ previousRunId: 'sh-scan', imported: first.imported, failed: [] });
  const afterFix = await hubFindings();
  expect(afterFix.length).toBe(afterScan.length);
  const fixed = byKey(afterFix);
  for (const key of notRotating) expect(fixed.get(key.keyArn)).toMatchObject({ Compliance: { Status: 'PASSED' }, Workflow: { Status: 'RESOLVED' }, RecordState: 'ACTIVE' });
  expect(fixed.get(rotating.keyArn)).toMatchObject({ Compliance: { Status: 'PASSED' } });

  // The stack goes and its key with it: the next scan no longer lists it, and its finding is archived.
  await deleteStack('doomed-key');
  await run('sh-after-delete', 'scan');
  const third = await exported('latest');
  expect(third).toMatchObject({ runId: 'sh-after-delete', previousRunId: 'sh-fix', failed: [] });
  expect(third.sent.ARCHIVED).toBe(1);
  const afterDelete = await hubFindings();
  expect(afterDelete.length).toBe(afterScan.length);
  const gone = byKey(afterDelete);
  expect(gone.get(doomed.keyArn)).toMatchObject({ RecordState: 'ARCHIVED', Workflow: { Status: 'RESOLVED' } });
  for (const key of [...keys]) expect(gone.get(key.keyArn)?.RecordState).toBe('ACTIVE');
}, 300_000);

test('the import sends batches of at most 100 and sends the findings Security Hub refuses again, a bounded number of times', async () => {
  const context = { awsAccountId: MANAGEMENT_ACCOUNT, partition: 'aws', region: REGION, controls: CONTROLS };
  const finding = (n: number): Finding => ({
    runId: 'batch',
    accountId: '111122223333',
    region: REGION,
    keyId: `key-${n}`,
    keyArn: `arn:aws:kms:${REGION}:111122223333:key/key-${n}`,
    status: 'NON_COMPLIANT',
    rotationEnabledBefore: false,
    scannedAt: '2026-12-02T10:00:00.000Z',
  });
  const client = securityHubClient(REGION);
  try {
    const good = Array.from({ length: 100 }, (_, n) => asffOfFinding(finding(n), context));
    const refused = { ...asffOfFinding(finding(100), context), Resources: [] };
    await suite.moto.startRecording();
    const ok = await importBatch(client, good, { baseDelayMs: 1 });
    const mixed = await importBatch(client, [asffOfFinding(finding(101), context), refused], { attempts: 3, baseDelayMs: 1 });
    const imports = (await suite.moto.stopRecording()).filter((r) => r.url.endsWith('/findings/import'));
    expect(ok).toEqual({ imported: 100, failed: [], requests: 1 });
    expect(mixed).toEqual({ imported: 1, failed: [{ id: refused.Id, errorCode: 'InvalidInput', errorMessage: expect.any(String) }], requests: 3 });
    // The first call of the mixed batch carries both; each retry only the refused one.
    expect(imports.map((r) => (JSON.parse(r.body) as { Findings: unknown[] }).Findings.length)).toEqual([100, 2, 1, 1]);
    expect((await hubFindings()).length).toBe(101);
  } finally {
    client.destroy();
  }
});
