// Continuous enforcement in the CDK app: the central bus and its policy (our Organization only),
// the queue, the EnforceKey function's event source and least privilege per mode, the DLQ and its
// alarm, the member template's rule and forwarding role in every enforced Region, the schedule's
// default per mode, bad context naming its key; cdk-nag and cfn-lint clean.
import { Match } from 'aws-cdk-lib/assertions';
import { App } from 'aws-cdk-lib';
import { buildRotorApp } from '../../infra/rotor-app';
import { buildApp, expectNagAndLintClean, memberTemplateOf, roleActions, roleStatements, type BuiltApp, type Json } from './support';

const ORG = 'o-a1b2c3d4e5';
const base = { organizationId: ORG, memberTargets: 'r-abcd', externalId: 'kms-rotor-ext' };

const ofType = (built: BuiltApp, type: string) => Object.entries<Json>(built.json.Resources).filter(([, r]) => r.Type === type);
const enforceRoleId = (built: BuiltApp) => ofType(built, 'AWS::IAM::Role').find(([id]) => id.startsWith('EnforcementEnforceKeyRole'))![0];

describe.each(['detect', 'remediate'] as const)('enforcement=%s', (mode) => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp({ ...base, enforcement: mode, enforcementRegions: 'eu-west-1,us-west-2', enforcementNotifications: 'true' }, { bundle: false, defaultRegion: 'us-east-1' });
  });

  test('the central bus admits only principals of our Organization', () => {
    built.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'kms-rotor-key-events' });
    const policies = ofType(built, 'AWS::Events::EventBusPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0][1].Properties.Statement).toMatchObject({ Effect: 'Allow', Principal: '*', Action: 'events:PutEvents', Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } });
  });

  test('the bus queues the KMS events; the function takes 10 at a time, 2 at once, reporting failed items; failures reach a DLQ with an alarm', () => {
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: { source: ['aws.kms'], 'detail-type': ['AWS API Call via CloudTrail'], detail: Match.objectLike({ eventSource: ['kms.amazonaws.com'] }) },
    });
    built.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, ScalingConfig: { MaximumConcurrency: 2 }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const queues = ofType(built, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('Enforcement'));
    expect(queues).toHaveLength(2);
    const main = queues.find(([, q]) => q.Properties.RedrivePolicy)![1];
    expect(main.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
    const dlqId = main.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      AlarmActions: [Match.anyValue()],
    });
  });

  test('the function: its mode, the member role of its mode, writes to key partitions only', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ENFORCEMENT: mode, ENFORCEMENT_TOPIC_ARN: Match.anyValue() }) } });
    const role = enforceRoleId(built);
    const actions = roleActions(built.json, role);
    const enables = actions.includes('kms:EnableKeyRotation');
    expect(enables).toBe(mode === 'remediate');
    expect(actions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:') && !a.startsWith('dynamodb:') && !a.startsWith('sqs:'))).toEqual(
      ['kms:DescribeKey', ...(enables ? ['kms:EnableKeyRotation'] : []), 'kms:GetKeyRotationStatus', 'kms:ListAliases', 'organizations:DescribeAccount', 'secretsmanager:GetSecretValue', 'sns:Publish', 'sts:AssumeRole'].sort(),
    );
    const statements = roleStatements(built.json, role);
    const assume = statements.find((s) => s.Action === 'sts:AssumeRole')!;
    expect(JSON.stringify(assume.Resource)).toContain(mode === 'remediate' ? 'role/KmsRotorRemediateRole' : 'role/KmsRotorScanRole');
    const writes = statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb:PutItem'));
    expect(writes).toHaveLength(1);
    expect(writes[0].Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['KEY#*'] } });
  });

  test('the ExternalId: EnforceKey reads the secret (its ARN in its environment, GetSecretValue on it only); no function has the value itself', () => {
    const [[secretId, secret]] = ofType(built, 'AWS::SecretsManager::Secret');
    expect(secret.Properties.SecretString).toBe(base.externalId);
    const functions = ofType(built, 'AWS::Lambda::Function');
    const enforceKey = functions.find(([id]) => id.startsWith('EnforcementEnforceKey'))![1];
    expect(enforceKey.Properties.Environment.Variables.EXTERNAL_ID_SECRET_ARN).toEqual({ Ref: secretId });
    for (const [, fn] of functions) expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain(base.externalId);
    expect(roleStatements(built.json, enforceRoleId(built)).filter((st) => JSON.stringify(st.Action).includes('secretsmanager:'))).toEqual([
      { Sid: 'ReadExternalId', Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secretId } },
    ]);
    const readers = functions.filter(([, fn]) => fn.Properties.Environment?.Variables?.EXTERNAL_ID_SECRET_ARN).map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
    expect(readers.sort()).toEqual(['EnforcementEnforceKeyFunction', 'FunctionsRemediateAccountFunction', 'FunctionsScanAccountFunction']);
  });

  test('the member template: in every enforced Region, a rule forwarding to the central bus through a role that may only put there; the roles only at home', () => {
    const stackSet = ofType(built, 'AWS::CloudFormation::StackSet')[0][1].Properties;
    expect(stackSet.StackInstancesGroup[0].Regions).toEqual([{ Ref: 'AWS::Region' }, 'eu-west-1', 'us-west-2']);
    expect(stackSet.Parameters.map((p: Json) => p.ParameterKey)).toEqual(expect.arrayContaining(['KeyEventBusArn', 'HomeRegion']));
    const member = memberTemplateOf(built.json);
    expect(member.Resources.ScanRole.Condition).toBe('InHomeRegion');
    expect(member.Resources.RemediateRole.Condition).toBe('InHomeRegion');
    const rule = member.Resources.KeyEventsRule.Properties;
    expect(rule.Targets).toEqual([{ Id: 'CentralBus', Arn: { Ref: 'KeyEventBusArn' }, RoleArn: { 'Fn::GetAtt': ['KeyEventsForwardRole', 'Arn'] } }]);
    expect(rule.EventPattern.detail.eventName).toEqual(['CreateKey', 'DisableKeyRotation', 'EnableKey', 'CancelKeyDeletion', 'ReplicateKey', 'UpdatePrimaryRegion']);
    const forward = member.Resources.KeyEventsForwardRole.Properties;
    expect(forward.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }) })]);
    expect(forward.Policies[0].PolicyDocument.Statement).toEqual([{ Sid: 'PutOnCentralBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'KeyEventBusArn' } }]);
  });

  test('cdk-nag finds nothing unacknowledged and cfn-lint passes on the stack and member templates', () => {
    expectNagAndLintClean(built, `enforcement-${mode}`);
  });
});

test('the schedule: daily by default and when detecting, weekly when remediating, as given when given', () => {
  const scheduleOf = (context: Record<string, string>) => ofType(buildApp({ ...base, ...context }, { bundle: false }), 'AWS::Scheduler::Schedule')[0][1].Properties.ScheduleExpression;
  expect(scheduleOf({})).toBe('rate(1 day)');
  expect(scheduleOf({ enforcement: 'remediate' })).toBe('rate(7 days)');
  expect(scheduleOf({ enforcement: 'remediate', schedule: 'cron(0 3 * * ? *)' })).toBe('cron(0 3 * * ? *)');
});

test('enforcement=off: no bus, no function, no member rule; the StackSet stays in one Region', () => {
  const built = buildApp({ ...base, enforcement: 'off' }, { bundle: false });
  expect(ofType(built, 'AWS::Events::EventBus')).toEqual([]);
  expect(ofType(built, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('Enforcement'))).toEqual([]);
  const member = memberTemplateOf(built.json);
  expect(member.Resources.KeyEventsRule).toBeUndefined();
  expect(member.Resources.ScanRole.Condition).toBeUndefined();
});

test('EnableKeyRotation is forwarded only with a period outside allowedRotationRange', () => {
  const built = buildApp({ ...base, enforcement: 'remediate', allowedRotationRange: '90-180' }, { bundle: false });
  const pattern = memberTemplateOf(built.json).Resources.KeyEventsRule.Properties.EventPattern;
  expect(pattern.detail.$or[1]).toEqual({
    eventName: ['EnableKeyRotation'],
    requestParameters: { rotationPeriodInDays: [{ numeric: ['<', 90] }, { numeric: ['>', 180] }, { exists: false }] },
  });
});

test.each([
  ['enforcement', 'sometimes', /-c enforcement="sometimes": must be one of remediate, detect, off/],
  ['schedule', 'every day', /-c schedule="every day": must be an EventBridge Scheduler rate/],
  ['enforcementRegions', 'mars-1', /-c enforcementRegions="mars-1": mars-1 is not a Region name/],
])('a bad %s fails synth naming the key', (key, value, message) => {
  const app = new App({ context: { ...base, [key]: value, 'aws:cdk:bundling-stacks': [] } });
  expect(() => buildRotorApp(app)).toThrow(message);
});
