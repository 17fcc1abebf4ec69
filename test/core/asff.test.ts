// The ASFF mapping as a pure function: the status of every finding status, the stable id, the
// workflow and record state, which keys count as gone, and text from AWS or people made inert.
import { asffFindingId, asffOfAccount, asffOfFinding, asffProductArn, COMPLIANCE_OF, goneKeys } from '../../functions/core/asff';
import { CONTROLS } from '../../functions/core/controls';
import { FINDING_STATUSES, type ErrorRecord, type Finding, type FindingStatus } from '../../functions/core/schemas';

const CONTEXT = { awsAccountId: '999999999999', partition: 'aws', region: 'eu-west-1', controls: CONTROLS };
const A = '111111111111';

function key(keyId: string, status: FindingStatus, region = 'us-east-1', runId = 'now'): Finding {
  return { runId, accountId: A, region, keyId, keyArn: `arn:aws:kms:${region}:${A}:key/${keyId}`, status, rotationEnabledBefore: status === 'COMPLIANT', scannedAt: '2026-12-02T10:00:00.000Z' };
}

test('every status has a compliance status: PASSED with rotation on, FAILED off, NOT_AVAILABLE outside the control', () => {
  expect(FINDING_STATUSES.map((s) => [s, COMPLIANCE_OF[s]])).toEqual([
    ['COMPLIANT', 'PASSED'],
    ['NON_COMPLIANT', 'FAILED'],
    ['REMEDIATED', 'PASSED'],
    ['REMEDIATION_FAILED', 'FAILED'],
    ['EXEMPT', 'NOT_AVAILABLE'],
    ['NOT_APPLICABLE', 'NOT_AVAILABLE'],
  ]);
});

test("a key's finding: its stable id, the caller's account and default product, the key as the resource, the controls", () => {
  const f = asffOfFinding({ ...key('k1', 'NON_COMPLIANT'), runId: 'later' }, CONTEXT);
  expect(f.Id).toBe(asffOfFinding(key('k1', 'NON_COMPLIANT'), CONTEXT).Id);
  expect(f).toMatchObject({
    SchemaVersion: '2018-10-08',
    Id: asffFindingId(`arn:aws:kms:us-east-1:${A}:key/k1`),
    ProductArn: 'arn:aws:securityhub:eu-west-1:999999999999:product/999999999999/default',
    AwsAccountId: '999999999999',
    Resources: [{ Type: 'AwsKmsKey', Id: `arn:aws:kms:us-east-1:${A}:key/k1`, Partition: 'aws', Region: 'us-east-1', Details: { AwsKmsKey: { KeyId: 'k1', KeyRotationStatus: false } } }],
    Compliance: { Status: 'FAILED' },
    Severity: { Label: 'MEDIUM' },
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
  });
  expect(f.Compliance?.RelatedRequirements).toEqual(CONTROLS.map((c) => `${c.framework} ${c.id}`));
  expect(asffProductArn({ awsAccountId: '1', partition: 'aws-us-gov', region: 'us-gov-west-1' })).toBe('arn:aws-us-gov:securityhub:us-gov-west-1:1:product/1/default');
});

test('workflow: RESOLVED once remediated, NEW when failed, left to Security Hub otherwise', () => {
  expect(asffOfFinding({ ...key('k', 'REMEDIATED'), remediatedAt: '2026-12-02T10:05:00.000Z' }, CONTEXT)).toMatchObject({ Workflow: { Status: 'RESOLVED' }, UpdatedAt: '2026-12-02T10:05:00.000Z', Compliance: { Status: 'PASSED' } });
  expect(asffOfFinding(key('k', 'REMEDIATION_FAILED'), CONTEXT).Workflow).toEqual({ Status: 'NEW' });
  expect(asffOfFinding(key('k', 'COMPLIANT'), CONTEXT).Workflow).toBeUndefined();
  expect(asffOfFinding(key('k', 'EXEMPT'), CONTEXT)).toMatchObject({ Compliance: { Status: 'NOT_AVAILABLE' }, Severity: { Label: 'INFORMATIONAL' } });
});

test('gone: listed by the previous run, not now, in a Region scanned now without an error', () => {
  const previous = [key('stays', 'COMPLIANT'), key('deleted', 'NON_COMPLIANT'), key('unscanned-region', 'COMPLIANT', 'eu-west-1'), key('errored-region', 'COMPLIANT', 'ap-south-1'), key('unreadable', 'COMPLIANT')];
  const errors: Pick<ErrorRecord, 'region' | 'keyArn'>[] = [{ region: 'ap-south-1' }, { region: 'us-east-1', keyArn: `arn:aws:kms:us-east-1:${A}:key/unreadable` }];
  const current = { findings: [key('stays', 'COMPLIANT')], errors, scannedRegions: ['us-east-1', 'ap-south-1'] };
  expect(goneKeys(previous, current).map((f) => f.keyId)).toEqual(['deleted']);
  // The account itself could not be scanned: nothing is known gone.
  expect(goneKeys(previous, { ...current, errors: [{}] })).toEqual([]);
});

test("an account's findings: its keys, its unreadable keys NOT_AVAILABLE, its gone keys ARCHIVED and RESOLVED", () => {
  const unreadable: ErrorRecord = { runId: 'now', accountId: A, region: 'us-east-1', keyId: 'u', keyArn: `arn:aws:kms:us-east-1:${A}:key/u`, phase: 'scan', error: 'AccessDenied', at: '2026-12-02T10:01:00.000Z' };
  const out = asffOfAccount({ findings: [key('on', 'COMPLIANT')], errors: [unreadable], scannedRegions: ['us-east-1'] }, [key('on', 'COMPLIANT', 'us-east-1', 'before'), key('gone', 'NON_COMPLIANT', 'us-east-1', 'before')], CONTEXT, '2026-12-02T11:00:00.000Z');
  expect(out.map((f) => [f.Resources![0].Id!.split('/').pop(), f.Compliance?.Status, f.RecordState, f.Workflow?.Status])).toEqual([
    ['on', 'PASSED', 'ACTIVE', undefined],
    ['u', 'NOT_AVAILABLE', 'ACTIVE', undefined],
    ['gone', 'FAILED', 'ARCHIVED', 'RESOLVED'],
  ]);
  expect(out[2].UpdatedAt).toBe('2026-12-02T11:00:00.000Z');
});

test('text from AWS or people is inert, and the description fits ASFF', () => {
  const hostile = { ...key('k', 'EXEMPT'), aliases: ['alias/\u202Eevil\x1b[2J'], exception: { owner: 'bob\r\nforged', reason: 'x'.repeat(2000), expiresAt: '2030-01-01' } };
  const f = asffOfFinding(hostile, CONTEXT);
  expect(f.Description).not.toMatch(/[\u202E\x1b\r\n]/);
  expect(f.Description).toContain('\\u202E');
  expect(f.Description!.length).toBeLessThanOrEqual(1024);
});
