// The KmsRotor stack as plain `cdk synth` builds it (no context: org values are parameters), with the
// nine real handlers bundled by esbuild: resources, exact IAM, the ASL wiring, cdk-nag and cfn-lint.
import * as fs from 'node:fs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Match } from 'aws-cdk-lib/assertions';
import { HANDLER_RUNTIME } from '../../infra/constructs/handler-function';
import { ASL_PATH, aslSubstitutionNames } from '../../infra/constructs/rollout-state-machine';
import { HANDLERS, type HandlerId } from '../../infra/constructs/rotor-functions';
import { OUTPUTS } from '../../infra/orchestrator-stack';
import {
  actionMatches,
  buildApp,
  cfnLint,
  identityPolicies,
  logicalId,
  memberTemplateOf,
  roleActions,
  roleStatements,
  runNag,
  templatesToLint,
  type BuiltApp,
  type Json,
} from './support';

let built: BuiltApp;
let resources: Record<string, Json>;
beforeAll(() => {
  built = buildApp();
  resources = built.json.Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const only = (type: string): [string, Json] => {
  const found = ofType(type);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('stack', () => {
  test('is named KmsRotor and exports what the CLI looks up', () => {
    expect(built.stack.stackName).toBe('KmsRotor');
    expect(Object.keys(built.json.Outputs).sort()).toEqual([...OUTPUTS].sort());
    const [machineId] = only('AWS::StepFunctions::StateMachine');
    expect(built.json.Outputs.StateMachineArn.Value).toEqual({ Ref: machineId });
    expect(built.json.Outputs.ResultsTableName.Value).toEqual({ Ref: only('AWS::DynamoDB::Table')[0] });
    expect(built.json.Outputs.DriftTopicArn.Value).toEqual({ Ref: only('AWS::SNS::Topic')[0] });
    expect(built.json.Outputs.ManifestBucketName.Value).toEqual({ Ref: logicalId(built.stack.manifest.bucket) });
  });

  test('without context the organization values are parameters', () => {
    expect(Object.keys(built.json.Parameters).sort()).toEqual(['BootstrapVersion', 'ExternalId', 'MemberTargets', 'OrganizationId']);
    expect(built.json.Parameters.MemberTargets.Type).toBe('CommaDelimitedList');
    expect(built.json.Parameters.ExternalId.Default).toBe('');
    expect(built.json.Parameters.OrganizationId.AllowedPattern).toBe('^o-[a-z0-9]{10,32}$');
  });
});

describe('results table', () => {
  test('pk/sk strings, gsi1 and gsi2 projecting ALL, on demand, PITR, encrypted, retained', () => {
    const [, table] = only('AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    const attributes = Object.fromEntries(table.Properties.AttributeDefinitions.map((a: Json) => [a.AttributeName, a.AttributeType]));
    expect(attributes).toEqual({ pk: 'S', sk: 'S', gsi1pk: 'S', gsi1sk: 'S', gsi2pk: 'S', gsi2sk: 'S' });
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      ['gsi1', 'gsi2'].map((name) => ({
        IndexName: name,
        KeySchema: [
          { AttributeName: `${name}pk`, KeyType: 'HASH' },
          { AttributeName: `${name}sk`, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
  });
});

describe('manifest bucket', () => {
  test('encrypted, private, TLS only, access-logged, with an expiry', () => {
    const bucket = resources[logicalId(built.stack.manifest.bucket)];
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(built.stack.manifest.accessLogs) } },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 30, Status: 'Enabled' })] },
    });
    const policies = ofType('AWS::S3::BucketPolicy').map(([, p]) => p.Properties);
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('functions', () => {
  const handlerIds = Object.keys(HANDLERS) as HandlerId[];
  const fnProps = (id: HandlerId) => resources[logicalId(built.stack.functions.handlers[id].function)].Properties;
  const roleOf = (id: HandlerId) => logicalId(built.stack.functions.handlers[id].role);

  test('one function per handler file, each file present', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(9);
    for (const spec of Object.values(HANDLERS)) {
      expect(fs.existsSync(`${__dirname}/../../functions/handlers/${spec.file}`)).toBe(true);
    }
  });

  test('every function runs on the newest Node.js runtime aws-cdk-lib offers, on arm64, traced', () => {
    const version = (runtime: lambda.Runtime) => Number(/^nodejs(\d+)/.exec(runtime.name)?.[1] ?? 0);
    const newest = lambda.Runtime.ALL.filter((r) => r.family === lambda.RuntimeFamily.NODEJS).sort((a, b) => version(b) - version(a))[0];
    expect(HANDLER_RUNTIME.name).toBe(newest.name);
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties).toMatchObject({
        Runtime: newest.name,
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
    }
  });

  test.each([
    ['ScanAccount', 900],
    ['RemediateAccount', 900],
    ['ValidateInput', 60],
    ['ListAccounts', 300],
    ['Finalize', 300],
  ] as [HandlerId, number][])('%s times out after %ss', (id, seconds) => {
    expect(fnProps(id).Timeout).toBe(seconds);
  });

  test('timeouts: 15 min for scan and remediate, 1-5 min for the rest; memory sized', () => {
    for (const id of handlerIds) {
      const { Timeout, MemorySize } = fnProps(id);
      if (id === 'ScanAccount' || id === 'RemediateAccount') expect(Timeout).toBe(900);
      else expect(Timeout).toBeGreaterThanOrEqual(60), expect(Timeout).toBeLessThanOrEqual(300);
      expect(MemorySize).toBeGreaterThanOrEqual(256);
    }
  });

  test('each function logs to its own log group with a retention', () => {
    for (const id of handlerIds) {
      const logGroupId = logicalId(built.stack.functions.handlers[id].logGroup);
      expect(fnProps(id).LoggingConfig).toMatchObject({ LogGroup: { Ref: logGroupId }, LogFormat: 'JSON' });
      expect(resources[logGroupId].Properties.RetentionInDays).toBe(90);
    }
  });

  test('environment: the table for all, the manifest bucket, the topic and metrics namespace where needed', () => {
    const tableRef = { Ref: only('AWS::DynamoDB::Table')[0] };
    for (const id of handlerIds) {
      expect(fnProps(id).Environment.Variables).toMatchObject({ TABLE_NAME: tableRef, SERVICE_NAME: 'kms-rotor' });
    }
    expect(fnProps('ListAccounts').Environment.Variables).toMatchObject({
      MANIFEST_BUCKET: { Ref: logicalId(built.stack.manifest.bucket) },
      MANIFEST_PREFIX: 'manifests/',
    });
    expect(fnProps('Finalize').Environment.Variables).toMatchObject({
      DRIFT_TOPIC_ARN: { Ref: only('AWS::SNS::Topic')[0] },
      METRICS_NAMESPACE: 'KmsRotor',
    });
    expect(fnProps('ValidateInput').Environment.Variables).toMatchObject({
      SCAN_ROLE_NAME: 'KmsRotorScanRole',
      REMEDIATE_ROLE_NAME: 'KmsRotorRemediateRole',
      EXTERNAL_ID: { Ref: 'ExternalId' },
    });
  });

  const LOGS_AND_TRACING = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  const TABLE_READ = [
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:Query',
    'dynamodb:Scan',
  ];
  const TABLE_READ_WRITE = [...TABLE_READ, 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
  const KMS_READS = ['ec2:DescribeRegions', 'kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListAliases', 'kms:ListKeys', 'kms:ListResourceTags'];
  const EXPECTED_ACTIONS: Record<HandlerId, string[]> = {
    ValidateInput: TABLE_READ_WRITE,
    ListAccounts: [
      ...TABLE_READ_WRITE,
      'organizations:DescribeAccount',
      'organizations:DescribeOrganization',
      'organizations:ListAccounts',
      'organizations:ListAccountsForParent',
      'organizations:ListChildren',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:ListParents',
      'organizations:ListRoots',
      'organizations:ListTagsForResource',
      's3:PutObject',
    ],
    ScanAccount: [...TABLE_READ_WRITE, 'sts:AssumeRole', ...KMS_READS],
    RecordError: TABLE_READ_WRITE,
    PlanWaves: TABLE_READ_WRITE,
    GetWave: TABLE_READ,
    RemediateAccount: [...TABLE_READ_WRITE, 'sts:AssumeRole', ...KMS_READS, 'kms:EnableKeyRotation'],
    ValidationGate: TABLE_READ_WRITE,
    Finalize: [...TABLE_READ_WRITE, 'sns:Publish', 'cloudwatch:PutMetricData'],
  };

  test.each(Object.keys(HANDLERS) as HandlerId[])('%s role: exactly its actions', (id) => {
    expect(roleActions(built.json, roleOf(id))).toEqual([...LOGS_AND_TRACING, ...EXPECTED_ACTIONS[id]].sort());
    const trust = resources[roleOf(id)].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]);
    expect(resources[roleOf(id)].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('scan assumes only the scan role name and remediate only the remediate role name, inside the organization', () => {
    const assume = (id: HandlerId) => roleStatements(built.json, roleOf(id)).filter((s) => s.Action === 'sts:AssumeRole');
    for (const [id, name] of [
      ['ScanAccount', 'KmsRotorScanRole'],
      ['RemediateAccount', 'KmsRotorRemediateRole'],
    ] as [HandlerId, string][]) {
      const statements = assume(id);
      expect(statements).toHaveLength(1);
      expect(statements[0].Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${name}`]] });
      expect(statements[0].Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': { Ref: 'OrganizationId' } } });
    }
    expect(JSON.stringify(assume('ScanAccount'))).not.toContain('KmsRotorRemediateRole');
  });

  test('KMS in the orchestrator account: key actions on this account’s keys, list actions on *', () => {
    for (const id of ['ScanAccount', 'RemediateAccount'] as HandlerId[]) {
      for (const statement of roleStatements(built.json, roleOf(id))) {
        const actions: string[] = [statement.Action].flat();
        if (!actions.some((a) => a.startsWith('kms:'))) continue;
        if (statement.Resource === '*') expect(actions.sort()).toEqual(['ec2:DescribeRegions', 'kms:ListAliases', 'kms:ListKeys']);
        else {
          expect(statement.Resource).toEqual({
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:*:', { Ref: 'AWS::AccountId' }, ':key/*']],
          });
        }
      }
    }
  });

  test('list-accounts writes manifests only under manifests/; finalize publishes to its topic and the KmsRotor namespace only', () => {
    const put = roleStatements(built.json, roleOf('ListAccounts')).find((s) => s.Action === 's3:PutObject');
    expect(put?.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(built.stack.manifest.bucket), 'Arn'] }, '/manifests/*']],
    });
    const finalize = roleStatements(built.json, roleOf('Finalize'));
    expect(finalize.find((s) => s.Action === 'sns:Publish')?.Resource).toEqual({ Ref: only('AWS::SNS::Topic')[0] });
    expect(finalize.find((s) => s.Action === 'cloudwatch:PutMetricData')?.Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': 'KmsRotor' },
    });
  });
});

describe('rollout state machine', () => {
  const aslText = fs.readFileSync(ASL_PATH, 'utf8');
  const machine = () => only('AWS::StepFunctions::StateMachine')[1].Properties;

  test('the definition is the ASL file, unchanged, with its Distributed Map reading the manifest', () => {
    expect(typeof machine().DefinitionString).toBe('string');
    const deployed = JSON.parse(machine().DefinitionString);
    expect(deployed).toEqual(JSON.parse(aslText));
    expect(Object.keys(deployed.States)).toEqual(Object.keys(JSON.parse(aslText).States));
    expect(deployed.States.ScanAccounts.ItemReader).toMatchObject({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
    });
    expect(deployed.States.ScanAccounts.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
  });

  test('every ${...} of the ASL is substituted, and nothing else', () => {
    const substitutions = machine().DefinitionSubstitutions;
    expect(Object.keys(substitutions).sort()).toEqual(aslSubstitutionNames(aslText).sort());
    expect(substitutions.ManifestBucket).toEqual({ Ref: logicalId(built.stack.manifest.bucket) });
    for (const [id, spec] of Object.entries(HANDLERS)) {
      const fn = built.stack.functions.handlers[id as HandlerId].function;
      expect(substitutions[spec.substitution]).toEqual({ 'Fn::GetAtt': [logicalId(fn), 'Arn'] });
    }
  });

  test('STANDARD, logging ALL to its log group, X-Ray on', () => {
    expect(machine()).toMatchObject({
      StateMachineType: 'STANDARD',
      StateMachineName: 'KmsRotor-rollout',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalId(built.stack.rollout.logGroup), 'Arn'] } } }],
      },
    });
  });

  test('its role: invoke the nine functions, run its own Distributed Maps, read manifests, write Map Run results', () => {
    const roleId = logicalId(built.stack.rollout.role);
    const statements = roleStatements(built.json, roleId);
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    const execution = (suffix: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${suffix}`],
      ],
    });
    expect(bySid.InvokeRolloutFunctions.Action).toBe('lambda:InvokeFunction');
    expect(bySid.InvokeRolloutFunctions.Resource).toHaveLength(9);
    expect(bySid.StartMapRunChildren).toMatchObject({ Action: 'states:StartExecution', Resource: execution('stateMachine:KmsRotor-rollout') });
    expect([...bySid.ManageMapRunChildren.Action].sort()).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    expect(bySid.ManageMapRunChildren.Resource).toEqual(
      expect.arrayContaining([execution('execution:KmsRotor-rollout:*'), execution('execution:KmsRotor-rollout/*')]),
    );
    const bucketArn = { 'Fn::GetAtt': [logicalId(built.stack.manifest.bucket), 'Arn'] };
    expect(bySid.ReadAccountManifest).toMatchObject({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [bucketArn, '/manifests/*']] } });
    expect([...bySid.WriteMapRunResults.Action].sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject']);
    expect(bySid.WriteMapRunResults.Resource).toEqual(
      expect.arrayContaining(['scan-results', 'remediation-results'].map((p) => ({ 'Fn::Join': ['', [bucketArn, `/${p}/*`]] }))),
    );
    expect(roleActions(built.json, roleId)).toEqual(
      [
        'lambda:InvokeFunction',
        'states:StartExecution',
        'states:DescribeExecution',
        'states:StopExecution',
        'states:RedriveExecution',
        's3:GetObject',
        's3:PutObject',
        's3:ListMultipartUploadParts',
        's3:AbortMultipartUpload',
        'logs:CreateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:DescribeLogGroups',
        'logs:DescribeResourcePolicies',
        'logs:GetLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:UpdateLogDelivery',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });
});

describe('drift schedule', () => {
  test('starts a scan-only run daily through a role that may start only this state machine', () => {
    const [, schedule] = only('AWS::Scheduler::Schedule');
    const [machineId] = only('AWS::StepFunctions::StateMachine');
    expect(schedule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED', Target: { Arn: { Ref: machineId } } });
    // Without context the ExternalId is a parameter: the input carries it only when it is set.
    const [whenSet, whenNot] = schedule.Properties.Target.Input['Fn::If'].slice(1);
    const base = { mode: 'scan', trigger: 'schedule', roleName: 'KmsRotorScanRole', remediateRoleName: 'KmsRotorRemediateRole' };
    expect(JSON.parse(whenNot)).toEqual(base);
    const [prefix, ref, suffix] = whenSet['Fn::Join'][1];
    expect(JSON.parse(`${prefix}ext-123${suffix}`)).toEqual({ ...base, externalId: 'ext-123' });
    expect(ref).toEqual({ Ref: 'ExternalId' });

    const roleId = logicalId(built.stack.schedule!.role);
    expect(schedule.Properties.Target.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(roleStatements(built.json, roleId)).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machineId } }]);
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }),
    ]);
  });
});

describe('notifications', () => {
  test('the drift topic is encrypted with its own key, which rotates, and requires TLS', () => {
    const [topicId, topic] = only('AWS::SNS::Topic');
    const [keyId, key] = only('AWS::KMS::Key');
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const [, topicPolicy] = only('AWS::SNS::TopicPolicy');
    expect(topicPolicy.Properties.Topics).toEqual([{ Ref: topicId }]);
    expect(topicPolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(topicPolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
    );
  });

  test('the topic key policy: administration without kms:* or DisableKeyRotation; use only by alarms and finalize via SNS', () => {
    const [, key] = only('AWS::KMS::Key');
    const statements: Json[] = key.Properties.KeyPolicy.Statement;
    for (const statement of statements) {
      const actions: string[] = [statement.Action].flat();
      expect(actions).not.toContain('kms:*');
      expect(actions).not.toContain('kms:DisableKeyRotation');
      if (actions.some((a) => /^kms:(Decrypt|GenerateDataKey)/.test(a))) {
        expect(actions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
      }
    }
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['CloudWatchAlarmsPublish', 'FinalizePublishThroughSns', 'KeyAdministrationByAccount']);
    expect(bySid.KeyAdministrationByAccount.Action).not.toContain('kms:Decrypt');
    expect(bySid.CloudWatchAlarmsPublish.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect(bySid.FinalizePublishThroughSns.Principal).toEqual({ AWS: { 'Fn::GetAtt': [logicalId(built.stack.functions.handlers.Finalize.role), 'Arn'] } });
    expect(bySid.FinalizePublishThroughSns.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    });
  });

  test('alarms on failed, timed-out and aborted executions and on drift and unscanned scopes, all to the topic', () => {
    const [topicId] = only('AWS::SNS::Topic');
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const metrics = alarms.map((a) => `${a.Namespace}/${a.MetricName}`).sort();
    expect(metrics).toEqual(
      ['AWS/States/ExecutionsAborted', 'AWS/States/ExecutionsFailed', 'AWS/States/ExecutionsTimedOut', 'KmsRotor/DriftedKeys', 'KmsRotor/ErrorScopes'].sort(),
    );
    const [machineId] = only('AWS::StepFunctions::StateMachine');
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ AlarmActions: [{ Ref: topicId }], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      if (alarm.Namespace === 'AWS/States') expect(alarm.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: machineId } }]);
      // finalize publishes the run metrics without dimensions (functions/aws/notifications.ts).
      else expect(alarm.Dimensions).toBeUndefined();
    }
    expect(Object.keys(built.stack.notifications.metrics).sort()).toEqual(['DriftedKeys', 'ErrorScopes', 'NonCompliantKeys']);
  });

  test('no email subscription unless one is asked for', () => {
    expect(ofType('AWS::SNS::Subscription')).toHaveLength(0);
  });
});

describe('member access StackSet', () => {
  test('service-managed, auto-deployed, named IAM, to the MemberTargets parameter', () => {
    const [, stackSet] = only('AWS::CloudFormation::StackSet');
    expect(stackSet.Properties).toMatchObject({
      StackSetName: 'KmsRotorMemberAccess',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      OperationPreferences: { FailureTolerancePercentage: 10, MaxConcurrentPercentage: 25 },
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: { Ref: 'MemberTargets' } }, Regions: [{ Ref: 'AWS::Region' }] }],
    });
  });

  test('the member roles trust the scan and remediate function roles respectively', () => {
    const [, stackSet] = only('AWS::CloudFormation::StackSet');
    const parameters = Object.fromEntries(
      stackSet.Properties.Parameters.filter((p: Json) => p.ParameterKey).map((p: Json) => [p.ParameterKey, p.ParameterValue]),
    );
    const roleArn = (id: HandlerId) => ({ 'Fn::GetAtt': [logicalId(built.stack.functions.handlers[id].role), 'Arn'] });
    expect(parameters).toEqual({
      OrchestratorAccountId: { Ref: 'AWS::AccountId' },
      ScanPrincipalArn: roleArn('ScanAccount'),
      RemediatePrincipalArn: roleArn('RemediateAccount'),
      OrganizationId: { Ref: 'OrganizationId' },
      ScanRoleName: 'KmsRotorScanRole',
      RemediateRoleName: 'KmsRotorRemediateRole',
    });
    // The ExternalId parameter only when the orchestrator's ExternalId is set.
    expect(stackSet.Properties.Parameters).toContainEqual({
      'Fn::If': ['HasExternalId', { ParameterKey: 'ExternalId', ParameterValue: { Ref: 'ExternalId' } }, { Ref: 'AWS::NoValue' }],
    });
    const member = memberTemplateOf(built.json);
    expect(Object.keys(member.Parameters).sort()).toEqual(Object.keys(parameters).concat('ExternalId').sort());
  });
});

describe('least privilege across every template', () => {
  // Concrete actions that must never be allowed; an allowed pattern that matches one is a failure.
  const FORBIDDEN = [
    'kms:PutKeyPolicy',
    'kms:ScheduleKeyDeletion',
    'kms:DisableKeyRotation',
    'kms:Decrypt',
    'kms:Encrypt',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext',
    'kms:GenerateDataKeyPair',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
    'kms:CreateGrant',
  ];

  test('no identity policy allows *, kms:* or any wildcard action, nor anything that decrypts or weakens a key', () => {
    const policies = [...identityPolicies(built.json, 'KmsRotor'), ...identityPolicies(memberTemplateOf(built.json), 'member')];
    expect(policies.length).toBeGreaterThanOrEqual(13);
    const offences: string[] = [];
    for (const policy of policies) {
      for (const statement of policy.document.Statement) {
        if (statement.Effect !== 'Allow') continue;
        if (statement.NotAction) offences.push(`${policy.where}: Allow with NotAction`);
        for (const action of [statement.Action].flat() as string[]) {
          if (action.includes('*')) offences.push(`${policy.where}: ${action}`);
          for (const forbidden of FORBIDDEN) if (actionMatches(action, forbidden)) offences.push(`${policy.where}: ${action} allows ${forbidden}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });

  test('the scan helper itself catches what it must', () => {
    expect(actionMatches('kms:*', 'kms:Decrypt')).toBe(true);
    expect(actionMatches('kms:Gen*', 'kms:GenerateDataKey')).toBe(true);
    expect(actionMatches('KMS:decrypt', 'kms:Decrypt')).toBe(true);
    expect(actionMatches('kms:DescribeKey', 'kms:Decrypt')).toBe(false);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('no finding is left unacknowledged (synth would stop on one)', () => {
    const nag = runNag(built.app);
    expect(nag.violations).toEqual([]);
    expect(() => built.app.synth({ force: true })).not.toThrow();
  });

  test('every acknowledgment has a specific reason and matches a real finding', () => {
    const nag = runNag(built.app);
    expect(nag.acknowledgments.length).toBeGreaterThan(0);
    for (const ack of nag.acknowledgments) {
      expect(ack.reason.length).toBeGreaterThanOrEqual(40);
      const matched = nag.allFindings.some((f) => f.ruleName === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
      if (!matched) throw new Error(`acknowledgment ${ack.id} on ${ack.path} matches no finding`);
    }
    // Only IAM5 wildcard-resource findings are acknowledged; every other rule passes outright.
    const rules = new Set(nag.acknowledgments.map((a) => a.id.replace(/\[.*$/, '')));
    expect([...rules]).toEqual(['AwsSolutions-IAM5']);
  });
});

test('cfn-lint passes on the stack template and the member template', () => {
  const result = cfnLint(templatesToLint(built, 'default'));
  expect(result.output).toBe('');
  expect(result.status).toBe(0);
});

test('Template assertions agree: one state machine with the ASL definition string', () => {
  built.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    DefinitionString: Match.stringLikeRegexp('"ItemReader"'),
  });
});
