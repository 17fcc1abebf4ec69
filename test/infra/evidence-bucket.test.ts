// The evidence bucket (context evidenceRetentionDays): S3 Object Lock in governance mode with the
// retention from context, Finalize told where it is and allowed only to put objects under
// evidence/, cdk-nag and cfn-lint clean; absent without the context, and a bad value refused.
import { buildApp, expectNagAndLintClean, logicalId, roleStatements, type BuiltApp, type Json } from './support';

const buckets = (template: Json) => Object.entries<Json>(template.Resources).filter(([, r]) => r.Type === 'AWS::S3::Bucket');

describe('evidenceRetentionDays=400', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp({ evidenceRetentionDays: '400' }, { bundle: false });
  });

  test('an Object Lock bucket, governance mode, 400 days; versioned, SSE-S3, private, logged', () => {
    const id = logicalId(built.stack.evidence!.bucket);
    const bucket = built.json.Resources[id].Properties;
    expect(bucket).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 400 } } },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { LogFilePrefix: 'evidence-bucket/' },
    });
    expect(built.json.Outputs.EvidenceBucketName.Value).toEqual({ Ref: id });
  });

  test('Finalize has its name and may only put objects under evidence/ (no delete, no bypass)', () => {
    const finalize = built.stack.functions.handlers.Finalize;
    const env = built.json.Resources[logicalId(finalize.function)].Properties.Environment.Variables;
    expect(env.EVIDENCE_BUCKET).toEqual({ Ref: logicalId(built.stack.evidence!.bucket) });
    const evidenceStatements = roleStatements(built.json, logicalId(finalize.role)).filter((s) => JSON.stringify(s.Resource).includes(logicalId(built.stack.evidence!.bucket)));
    expect(evidenceStatements).toEqual([
      expect.objectContaining({ Action: 's3:PutObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(built.stack.evidence!.bucket), 'Arn'] }, '/evidence/*']] } }),
    ]);
    const all = JSON.stringify(built.templates);
    expect(all).not.toContain('BypassGovernanceRetention');
    expect(all).not.toContain('PutObjectRetention');
  });

  test('cdk-nag AwsSolutions and cfn-lint are clean', () => {
    expectNagAndLintClean(built, 'evidence');
  });
});

test('without the context there is no evidence bucket and Finalize has no EVIDENCE_BUCKET', () => {
  const built = buildApp({}, { bundle: false });
  expect(built.stack.evidence).toBeUndefined();
  expect(buckets(built.json).some(([, r]) => r.Properties?.ObjectLockEnabled)).toBe(false);
  expect(built.json.Resources[logicalId(built.stack.functions.handlers.Finalize.function)].Properties.Environment.Variables).not.toHaveProperty('EVIDENCE_BUCKET');
});

test('a retention that is not a whole number of days is refused, naming the key', () => {
  expect(() => buildApp({ evidenceRetentionDays: 'a year' }, { bundle: false })).toThrow(/evidenceRetentionDays/);
});
