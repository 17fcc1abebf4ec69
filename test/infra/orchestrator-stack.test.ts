// The KmsRotor stack as plain `cdk synth` builds it (no context: org values are parameters), with the
// ten real handlers bundled by esbuild: resources, exact IAM, the two state machines' ASL wiring,
// the key policy, cdk-nag and cfn-lint.
import * as fs from 'node:fs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Match } from 'aws-cdk-lib/assertions';
import { ExecutionInput } from '../../functions/core/schemas';
import { TOPIC_KEY_ADMIN_ACTIONS } from '../../infra/constructs/drift-notifications';
import { HANDLER_RUNTIME } from '../../infra/constructs/handler-function';
import { resultWriterPrefixes } from '../../infra/constructs/rollout-state-machine';
import { ASL_PATH, substitutionNames as aslSubstitutionNames } from '../../statemachine/asl';
import { STEP_FUNCTIONS as HANDLERS, type StepFunctionId as HandlerId } from '../../statemachine/steps';
import { keys, SCANS_PREFIX } from '../../functions/store/layout';
import { DEFAULT_RETENTION_DAYS } from '../../functions/store/results-store';
import { createTableInput, TTL_ATTRIBUTE } from '../../functions/store/table-schema';
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
  // Continuous enforcement off: the rollout alone (test/infra/enforcement.test.ts covers the rest).
  built = buildApp({ enforcement: 'off' });
  resources = built.json.Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const only = (type: string): [string, Json] => {
  const found = ofType(type);
  expect(found).toHaveLength(1);
  return found[0];
};
const machineIds = () => ({ rollout: logicalId(built.stack.rollout.stateMachine), scan: logicalId(built.stack.scan.stateMachine) });

describe('stack', () => {
  test('is named KmsRotor and exports what the CLI looks up', () => {
    expect(built.stack.stackName).toBe('KmsRotor');
    expect(Object.keys(built.json.Outputs).sort()).toEqual([...OUTPUTS].sort());
    expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(2);
    expect(built.json.Outputs.StateMachineArn.Value).toEqual({ Ref: machineIds().rollout });
    expect(built.json.Outputs.ScanStateMachineArn.Value).toEqual({ Ref: machineIds().scan });
    expect(built.json.Outputs.ResultsTableName.Value).toEqual({ Ref: only('AWS::DynamoDB::Table')[0] });
    expect(built.json.Outputs.DriftTopicArn.Value).toEqual({ Ref: only('AWS::SNS::Topic')[0] });
    expect(built.json.Outputs.ManifestBucketName.Value).toEqual({ Ref: logicalId(built.stack.manifest.bucket) });
  });

  test('without context the organization values are parameters; the ExternalId one is required', () => {
    expect(Object.keys(built.json.Parameters).sort()).toEqual(['BootstrapVersion', 'ExternalId', 'MemberTargets', 'OrganizationId']);
    expect(built.json.Parameters.MemberTargets.Type).toBe('CommaDelimitedList');
    expect(built.json.Parameters.OrganizationId.AllowedPattern).toBe('^o-[a-z0-9]{10,32}$');
    const externalId = built.json.Parameters.ExternalId;
    expect(externalId).not.toHaveProperty('Default');
    expect(externalId).toMatchObject({ Type: 'String', MinLength: 2, MaxLength: 1224, AllowedPattern: '^[\\w+=,.@:/-]{2,1224}$' });
    // No "empty means none": nothing in the stack is conditional on the ExternalId.
    expect(built.json.Conditions ?? {}).not.toHaveProperty('HasExternalId');
    expect(JSON.stringify(built.json)).not.toContain('HasExternalId');
  });

  test('the only stack without -c guardrails=true', () => {
    expect(Object.keys(built.templates)).toEqual(['KmsRotor']);
  });
});

describe('results table', () => {
  test('pk/sk strings, exactly one index (gsi1) projecting ALL, on demand, PITR, encrypted, retained', () => {
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
    expect(attributes).toEqual({ pk: 'S', sk: 'S', gsi1pk: 'S', gsi1sk: 'S' });
    expect(table.Properties.GlobalSecondaryIndexes).toHaveLength(1);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });

  test('the same key schema as the embedded store creates (functions/store/table-schema.ts)', () => {
    const [, table] = only('AWS::DynamoDB::Table');
    const input = createTableInput('t');
    expect(table.Properties.KeySchema).toEqual(input.KeySchema);
    expect([...table.Properties.AttributeDefinitions].sort((a: Json, b: Json) => a.AttributeName.localeCompare(b.AttributeName))).toEqual(
      [...input.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
    );
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(input.GlobalSecondaryIndexes);
  });

  test('items expire by the TTL attribute ttl, the one the store writes', () => {
    const [, table] = only('AWS::DynamoDB::Table');
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(TTL_ATTRIBUTE).toBe('ttl');
  });
});

describe('results bucket', () => {
  const bucketProps = () => resources[logicalId(built.stack.manifest.bucket)].Properties;

  test('encrypted, private, TLS only, access-logged', () => {
    expect(bucketProps()).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(built.stack.manifest.accessLogs) } },
    });
    expect(bucketProps()).not.toHaveProperty('VersioningConfiguration');
    const policies = ofType('AWS::S3::BucketPolicy').map(([, p]) => p.Properties);
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  test('scans expire after the retention (90 days by default), manifests and Map Run results after 30, per prefix', () => {
    expect(DEFAULT_RETENTION_DAYS).toBe(90);
    expect(SCANS_PREFIX).toBe('scans/');
    expect(bucketProps().LifecycleConfiguration.Rules).toEqual([
      { Id: 'expire-scans', Prefix: 'scans/', ExpirationInDays: 90, Status: 'Enabled' },
      { Id: 'expire-manifests', Prefix: 'manifests/', ExpirationInDays: 30, Status: 'Enabled' },
      { Id: 'expire-scan-results', Prefix: 'scan-results/', ExpirationInDays: 30, Status: 'Enabled' },
      { Id: 'expire-remediation-results', Prefix: 'remediation-results/', ExpirationInDays: 30, Status: 'Enabled' },
      { Id: 'abort-incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
    ]);
  });

  test('every ResultWriter prefix of the ASL has an expiry; no rule without a prefix expires objects (it would cut the scans short)', () => {
    const rules: Json[] = bucketProps().LifecycleConfiguration.Rules;
    for (const prefix of resultWriterPrefixes(JSON.parse(fs.readFileSync(ASL_PATH, 'utf8')))) {
      expect(rules).toContainEqual(expect.objectContaining({ Prefix: `${prefix}/`, ExpirationInDays: 30 }));
    }
    for (const rule of rules.filter((r) => r.Prefix === undefined)) expect(rule).not.toHaveProperty('ExpirationInDays');
    // An account's scan is gone no sooner than the table items that point at it.
    expect(rules.find((r) => r.Prefix === SCANS_PREFIX)?.ExpirationInDays).toBe(DEFAULT_RETENTION_DAYS);
  });
});

describe('functions', () => {
  const handlerIds = Object.keys(HANDLERS) as HandlerId[];
  const fnProps = (id: HandlerId) => resources[logicalId(built.stack.functions.handlers[id].function)].Properties;
  const roleOf = (id: HandlerId) => logicalId(built.stack.functions.handlers[id].role);

  test('one function per handler file, each file present', () => {
    // The ten functions of the step registry and RecordStoppedExecution (EVENT_FUNCTIONS).
    expect(ofType('AWS::Lambda::Function')).toHaveLength(10 + 1);
    for (const spec of Object.values(HANDLERS)) {
      expect(fs.existsSync(`${__dirname}/../../functions/handlers/${spec.file}.ts`)).toBe(true);
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
    ['ListAccounts', 900],
    ['Finalize', 300],
  ] as [HandlerId, number][])('%s times out after %ss', (id, seconds) => {
    expect(fnProps(id).Timeout).toBe(seconds);
  });

  test('timeouts: 15 min for listing, scan and remediate, 1-5 min for the rest; memory sized', () => {
    for (const id of handlerIds) {
      const { Timeout, MemorySize } = fnProps(id);
      if (id === 'ScanAccount' || id === 'RemediateAccount' || id === 'ListAccounts') expect(Timeout).toBe(900);
      else expect(Timeout).toBeGreaterThanOrEqual(60), expect(Timeout).toBeLessThanOrEqual(300);
      expect(MemorySize).toBeGreaterThanOrEqual(256);
    }
  });

  test('every Task of the ASL times out with its function: TimeoutSeconds is the Lambda timeout', () => {
    const definition = JSON.parse(fs.readFileSync(ASL_PATH, 'utf8'));
    const tasks: [string, Json][] = [];
    const walk = (machine: Json) => {
      for (const [name, state] of Object.entries<Json>(machine.States)) {
        if (state.Type === 'Task') tasks.push([name, state]);
        for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) if (inner) walk(inner);
      }
    };
    walk(definition);
    const bySubstitution = new Map(handlerIds.map((id) => [HANDLERS[id].substitution as string, id]));
    const checked = new Set<HandlerId>();
    for (const [name, state] of tasks) {
      const substitution = /^\$\{([A-Za-z0-9_]+)\}$/.exec(state.Resource)?.[1];
      const id = substitution && bySubstitution.get(substitution);
      if (!id) throw new Error(`Task ${name} invokes ${state.Resource}, no function of the stack`);
      expect({ task: name, timeout: state.TimeoutSeconds }).toEqual({ task: name, timeout: fnProps(id).Timeout });
      expect({ task: name, timeout: state.TimeoutSeconds }).toEqual({ task: name, timeout: HANDLERS[id].timeoutSeconds });
      checked.add(id);
    }
    // Every function is some Task's (RecordError and Finalize are two Tasks' each).
    expect([...checked].sort()).toEqual([...handlerIds].sort());
    expect(tasks.length).toBeGreaterThan(handlerIds.length);
  });

  test('each function logs to its own log group with a retention', () => {
    for (const id of handlerIds) {
      const logGroupId = logicalId(built.stack.functions.handlers[id].logGroup);
      expect(fnProps(id).LoggingConfig).toMatchObject({ LogGroup: { Ref: logGroupId }, LogFormat: 'JSON' });
      expect(resources[logGroupId].Properties.RetentionInDays).toBe(90);
    }
  });

  test('environment: the store (table, results bucket, retention) for all, the topic and metrics namespace for Finalize', () => {
    const store = { TABLE_NAME: { Ref: only('AWS::DynamoDB::Table')[0] }, RESULTS_BUCKET: { Ref: logicalId(built.stack.manifest.bucket) }, RETENTION_DAYS: '90' };
    const secret = { EXTERNAL_ID_SECRET_ARN: { Ref: only('AWS::SecretsManager::Secret')[0] } };
    const own: Partial<Record<HandlerId, Json>> = {
      ValidateInput: { SCAN_ROLE_NAME: 'KmsRotorScanRole', REMEDIATE_ROLE_NAME: 'KmsRotorRemediateRole' },
      // Only the functions that assume member roles: the secret's ARN, never the ExternalId.
      ScanAccount: secret,
      RemediateAccount: secret,
      Finalize: { DRIFT_TOPIC_ARN: { Ref: only('AWS::SNS::Topic')[0] } },
    };
    for (const id of handlerIds) expect(fnProps(id).Environment.Variables).toEqual({ ...store, ...own[id] });
  });

  test('no function is given a variable that no function reads', () => {
    const handlerSources = fs.readdirSync(`${__dirname}/../../functions`, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(`${__dirname}/../../functions/${f}`, 'utf8'))
      .join('\n');
    // Read as process.env.NAME, or through the name as a constant (EXTERNAL_ID_SECRET_ENV) beside its reader.
    for (const id of handlerIds) {
      for (const name of Object.keys(fnProps(id).Environment.Variables)) expect(handlerSources).toMatch(new RegExp(`process\\.env\\.${name}\\b|_ENV = '${name}'`));
    }
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
  // No dynamodb:DeleteItem: no function deletes (only the CLI removes exceptions).
  const TABLE_READ_WRITE = [...TABLE_READ, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
  const KMS_READS = ['ec2:DescribeRegions', 'kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListAliases', 'kms:ListKeys'];
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
      // The saved listing a continued invocation reads (and ListBucket, so that a missing one is NoSuchKey).
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
    ],
    // kms:ListResourceTags for runs that read key tags (readKeyTags).
    ScanAccount: [...TABLE_READ_WRITE, 'sts:AssumeRole', ...KMS_READS, 'kms:ListResourceTags', 's3:GetObject', 's3:ListBucket', 's3:PutObject', 'secretsmanager:GetSecretValue'],
    RecordError: [...TABLE_READ_WRITE, 's3:GetObject', 's3:ListBucket'],
    PlanWaves: TABLE_READ_WRITE,
    GetWave: TABLE_READ,
    RemediateAccount: [...TABLE_READ_WRITE, 'sts:AssumeRole', ...KMS_READS, 'kms:EnableKeyRotation', 's3:GetObject', 's3:ListBucket', 'secretsmanager:GetSecretValue'],
    ValidationGate: TABLE_READ_WRITE,
    Finalize: [...TABLE_READ_WRITE, 'sns:Publish', 's3:GetObject', 's3:ListBucket'],
    // Reads only: the run and its scans; BatchImportFindings only with securityHubExport (security-hub-export.test.ts).
    ExportToSecurityHub: [...TABLE_READ, 's3:GetObject', 's3:ListBucket'],
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

  test('the ExternalId: a secret made from the NoEcho parameter, read (GetSecretValue, nothing else) by scan and remediate only, on that secret only', () => {
    const [secretId, secret] = only('AWS::SecretsManager::Secret');
    expect(secret.Properties.SecretString).toEqual({ Ref: 'ExternalId' });
    expect(built.json.Parameters.ExternalId.NoEcho).toBe(true);
    const readers = handlerIds.filter((id) => roleStatements(built.json, roleOf(id)).some((st) => [st.Action].flat().some((a: string) => a.startsWith('secretsmanager:'))));
    expect(readers.sort()).toEqual(['RemediateAccount', 'ScanAccount']);
    for (const id of readers) {
      const statements = roleStatements(built.json, roleOf(id)).filter((st) => [st.Action].flat().some((a: string) => a.startsWith('secretsmanager:')));
      expect(statements).toEqual([{ Sid: 'ReadExternalId', Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secretId } }]);
    }
    // No function, state machine or schedule has the ExternalId itself.
    const withValue = Object.entries(resources).filter(([id, r]) => id !== secretId && r.Type !== 'AWS::CloudFormation::StackSet' && JSON.stringify(r).includes('{"Ref":"ExternalId"}'));
    expect(withValue.map(([id]) => id)).toEqual([]);
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

  test('finalize publishes to its topic only (its metrics are EMF in its logs: no CloudWatch grant)', () => {
    const finalize = roleStatements(built.json, roleOf('Finalize'));
    expect(finalize.find((s) => s.Action === 'sns:Publish')?.Resource).toEqual({ Ref: only('AWS::SNS::Topic')[0] });
    expect(finalize.find((s) => s.Action === 'cloudwatch:PutMetricData')).toBeUndefined();
  });

  // What each handler touches in the results bucket (functions/handlers/*.ts): the store's
  // getAccountScan, putAccountScan and accountFindings are scans/ objects, deps.manifests is manifests/.
  const OBJECT_GRANTS: Record<HandlerId, { read: string[]; write: string[] }> = {
    ValidateInput: { read: [], write: [] },
    ListAccounts: { read: ['manifests/'], write: ['manifests/'] },
    ScanAccount: { read: ['scans/'], write: ['scans/'] },
    RecordError: { read: ['scans/'], write: [] },
    PlanWaves: { read: [], write: [] },
    GetWave: { read: [], write: [] },
    RemediateAccount: { read: ['scans/'], write: [] },
    ValidationGate: { read: [], write: [] },
    Finalize: { read: ['scans/', 'manifests/'], write: [] },
    ExportToSecurityHub: { read: ['scans/'], write: [] },
  };

  test.each(handlerIds)('%s: exactly its object grants in the results bucket, and nothing in any other bucket', (id) => {
    const bucket = logicalId(built.stack.manifest.bucket);
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]] });
    const s3Statements = roleStatements(built.json, roleOf(id)).filter((st) => [st.Action].flat().some((a: string) => a.startsWith('s3:')));
    const granted = (action: string) =>
      s3Statements.filter((st) => [st.Action].flat().includes(action)).flatMap((st) => [st.Resource].flat());
    const { read, write } = OBJECT_GRANTS[id];
    expect(granted('s3:GetObject')).toEqual(read.map(objects));
    expect(granted('s3:PutObject')).toEqual(write.map(objects));
    // A reader lists the bucket, so that a missing object is NoSuchKey rather than AccessDenied.
    expect(granted('s3:ListBucket')).toEqual(read.length > 0 ? [{ 'Fn::GetAtt': [bucket, 'Arn'] }] : []);
    for (const st of s3Statements) {
      expect(st.Effect).toBe('Allow');
      expect([st.Action].flat().every((a: string) => ['s3:GetObject', 's3:PutObject', 's3:ListBucket'].includes(a))).toBe(true);
      expect(st).not.toHaveProperty('Condition');
    }
  });

  // The partitions each handler writes (functions/handlers/*.ts and the store methods they call;
  // layout.ts `keys`), as dynamodb:LeadingKeys patterns. No function writes EXCEPTION items.
  const RUN = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RUN#*'] }, 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': ['RUN#*#*'] } };
  const own = (...patterns: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns } });
  const WRITE_CONDITIONS: Record<HandlerId, Json[]> = {
    ValidateInput: [RUN],
    ListAccounts: [RUN, own('RUN#*#ERRORS#*')],
    ScanAccount: [own('RUN#*#ERRORS#*', 'KEY#*', 'RUN#*#ACCOUNTS#*', 'ACCOUNT#*')],
    RecordError: [own('RUN#*#ERRORS#*', 'RUN#*#ACCOUNTS#*', 'RUN#*#KEYS#*', 'KEY#*')],
    PlanWaves: [RUN],
    GetWave: [],
    RemediateAccount: [own('RUN#*#KEYS#*', 'KEY#*', 'RUN#*#ACCOUNTS#*')],
    ValidationGate: [RUN],
    Finalize: [RUN, own('RUN#*#ERRORS#*', 'RUN#*#KEYS#*', 'KEY#*', 'RUN#*#ACCOUNTS#*')],
    ExportToSecurityHub: [],
  };
  const WRITES = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

  test.each(handlerIds)('%s: table writes only to its own partitions (dynamodb:LeadingKeys), on the table only; reads unconditioned', (id) => {
    const table = only('AWS::DynamoDB::Table')[0];
    const statements = roleStatements(built.json, roleOf(id)).filter((st) => [st.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
    const writing = statements.filter((st) => [st.Action].flat().some((a: string) => WRITES.some((w) => actionMatches(a, w)) || actionMatches(a, 'dynamodb:DeleteItem')));
    expect(writing.map((st) => st.Condition)).toEqual(WRITE_CONDITIONS[id]);
    for (const st of writing) {
      expect([...[st.Action].flat()].sort()).toEqual(WRITES);
      expect(st.Resource).toEqual({ 'Fn::GetAtt': [table, 'Arn'] });
    }
    const reading = statements.filter((st) => !writing.includes(st));
    expect(reading.flatMap((st) => [st.Action].flat()).sort()).toEqual(TABLE_READ);
    for (const st of reading) expect(st).not.toHaveProperty('Condition');
  });

  test('no pattern of one partition kind admits a key of another (the keys as layout.ts makes them)', () => {
    const sample = {
      run: [keys.run('run-1').pk, keys.wave('run-1', 3).pk],
      accounts: [keys.accountSummary('run-1', '111122223333').pk, keys.waveOutcome('run-1', '111122223333', 2).pk],
      errors: [keys.error({ runId: 'run-1', accountId: '111122223333', phase: 'scan', error: 'x', at: '2026-01-01T00:00:00Z' }).pk],
      remediation: [keys.remediation('run-1', '111122223333', 'eu-west-1', 'k').pk],
      history: [keys.history('arn:aws:kms:eu-west-1:111122223333:key/k', 'run-1', 'scan').pk],
      latest: [keys.latestScan('111122223333').pk],
      exception: [keys.exception('111122223333').pk],
    };
    const allowedBy = (pk: string, condition: Json) =>
      condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'].some((p: string) => iamLike(p, pk)) &&
      !(condition['ForAllValues:StringNotLike']?.['dynamodb:LeadingKeys'] ?? []).some((p: string) => iamLike(p, pk));
    const kindsOf = (condition: Json) =>
      Object.entries(sample).filter(([, pks]) => pks.every((pk) => allowedBy(pk, condition))).map(([kind]) => kind).sort();
    // Each condition admits whole kinds, never part of one and never EXCEPTION.
    for (const condition of Object.values(WRITE_CONDITIONS).flat()) {
      for (const [kind, pks] of Object.entries(sample)) {
        const admitted = pks.map((pk) => allowedBy(pk, condition));
        expect(admitted.every(Boolean) || admitted.every((a) => !a)).toBe(true);
        if (kind === 'exception') expect(admitted).toEqual([false]);
      }
    }
    expect(kindsOf(RUN)).toEqual(['run']);
    expect(kindsOf(own('RUN#*#ERRORS#*'))).toEqual(['errors']);
    expect(kindsOf(own('RUN#*#ACCOUNTS#*'))).toEqual(['accounts']);
    expect(kindsOf(own('RUN#*#KEYS#*'))).toEqual(['remediation']);
    expect(kindsOf(own('KEY#*'))).toEqual(['history']);
    expect(kindsOf(own('ACCOUNT#*'))).toEqual(['latest']);
  });
});

/** IAM's StringLike: `*` any run of characters, `?` one, case-sensitive. */
function iamLike(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);
}

describe('the rollout and scan-only state machines', () => {
  const aslText = fs.readFileSync(ASL_PATH, 'utf8');
  const machines = () => ({
    rollout: { construct: built.stack.rollout, props: resources[machineIds().rollout].Properties },
    scan: { construct: built.stack.scan, props: resources[machineIds().scan].Properties },
  });
  const each = ['rollout', 'scan'] as const;
  const execution = (suffix: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${suffix}`]],
  });
  const fnArn = (id: HandlerId) => ({ 'Fn::GetAtt': [logicalId(built.stack.functions.handlers[id].function), 'Arn'] });
  const bucketArn = () => ({ 'Fn::GetAtt': [logicalId(built.stack.manifest.bucket), 'Arn'] });

  test.each(each)('%s: the definition is the ASL file, unchanged, with its Distributed Map reading the manifest', (which) => {
    const { props } = machines()[which];
    expect(typeof props.DefinitionString).toBe('string');
    const deployed = JSON.parse(props.DefinitionString);
    expect(deployed).toEqual(JSON.parse(aslText));
    expect(deployed.States.ScanAccounts.ItemReader).toMatchObject({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' } });
    expect(deployed.States.ScanAccounts.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
  });

  test.each([
    ['rollout', 'scan,remediate'],
    ['scan', 'scan'],
  ] as const)('%s: every ${...} of the ASL is substituted, AllowedModes=%s, every function by its real ARN', (which, modes) => {
    const substitutions = machines()[which].props.DefinitionSubstitutions;
    expect(Object.keys(substitutions).sort()).toEqual(aslSubstitutionNames(aslText).sort());
    expect(substitutions.AllowedModes).toBe(modes);
    expect(substitutions.ManifestBucket).toEqual({ Ref: logicalId(built.stack.manifest.bucket) });
    // The scan-only machine names RemediateAccount too (one definition), but its role cannot invoke it.
    for (const [id, spec] of Object.entries(HANDLERS)) expect(substitutions[spec.substitution]).toEqual(fnArn(id as HandlerId));
  });

  test.each([
    ['rollout', 'KmsRotor-rollout'],
    ['scan', 'KmsRotor-scan'],
  ] as const)('%s: named %s, STANDARD, logging ALL to its own log group, X-Ray on', (which, name) => {
    const { construct, props } = machines()[which];
    expect(props).toMatchObject({
      StateMachineType: 'STANDARD',
      StateMachineName: name,
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalId(construct.logGroup), 'Arn'] } } }],
      },
    });
  });

  test.each(each)('%s: the log group keeps a year of logs under a name new to every creation of the stack', (which) => {
    const group = resources[logicalId(machines()[which].construct.logGroup)];
    expect(group.Properties.RetentionInDays).toBe(365);
    // A fixed name would collide with the group retained by a destroyed stack; the stack id's UUID cannot.
    expect(group.Properties.LogGroupName).toEqual({
      'Fn::Join': ['', [`/aws/vendedlogs/states/KmsRotor-${which}-`, { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]],
    });
    expect(group.DeletionPolicy).toBe('Retain');
  });

  const LOGS_AND_TRACING = [
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
  ];

  test.each([
    // Without the Security Hub export (this stack's default) no machine may invoke its function.
    ['rollout', (Object.keys(HANDLERS) as HandlerId[]).filter((id) => id !== 'ExportToSecurityHub'), ['remediation-results', 'scan-results']],
    ['scan', ['ValidateInput', 'ListAccounts', 'ScanAccount', 'RecordError', 'PlanWaves', 'Finalize'] as HandlerId[], ['scan-results']],
  ] as const)('%s role: invokes exactly the functions its modes reach, runs only its own Map Run children', (which, invoked, prefixes) => {
    const name = `KmsRotor-${which}`;
    const roleId = logicalId(machines()[which].construct.role);
    const statements = roleStatements(built.json, roleId);
    const bySid = Object.fromEntries(statements.filter((st) => st.Sid).map((st) => [st.Sid, st]));
    expect(bySid.InvokeReachableFunctions.Action).toBe('lambda:InvokeFunction');
    expect([bySid.InvokeReachableFunctions.Resource].flat()).toEqual(expect.arrayContaining(invoked.map(fnArn)));
    expect([bySid.InvokeReachableFunctions.Resource].flat()).toHaveLength(invoked.length);
    expect(bySid.StartMapRunChildren).toMatchObject({ Action: 'states:StartExecution', Resource: execution(`stateMachine:${name}`) });
    // Distributed Map children only (execution:<name>/<label>:<id>), never the top-level runs (execution:<name>:<id>).
    expect([...bySid.ManageMapRunChildren.Action].sort()).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    expect(bySid.ManageMapRunChildren.Resource).toEqual(execution(`execution:${name}/*`));
    expect(bySid.RedriveMapRunChildren).toMatchObject({ Action: 'states:RedriveExecution', Resource: execution(`execution:${name}/*`) });
    const executionGrants = statements.filter((st) => [st.Action].flat().some((a: string) => a.startsWith('states:')));
    expect(JSON.stringify(executionGrants)).not.toContain(`:execution:${name}:`);
    expect(bySid.ReadAccountManifest).toMatchObject({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [bucketArn(), '/manifests/*']] } });
    expect([...bySid.WriteMapRunResults.Action].sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject']);
    const resultObjects = prefixes.map((p) => ({ 'Fn::Join': ['', [bucketArn(), `/${p}/*`]] }));
    expect([bySid.WriteMapRunResults.Resource].flat()).toEqual(expect.arrayContaining(resultObjects));
    expect([bySid.WriteMapRunResults.Resource].flat()).toHaveLength(resultObjects.length);
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
        ...LOGS_AND_TRACING,
      ].sort(),
    );
  });

  test('the scan-only role cannot invoke RemediateAccount, by any statement', () => {
    const remediate = fnArn('RemediateAccount');
    const statements = roleStatements(built.json, logicalId(built.stack.scan.role));
    const invoking = statements.filter((st) => [st.Action].flat().some((a: string) => actionMatches(a, 'lambda:InvokeFunction')));
    expect(invoking).toHaveLength(1);
    expect([invoking[0].Resource].flat()).not.toContainEqual(remediate);
    expect([invoking[0].Resource].flat()).not.toContain('*');
    expect(JSON.stringify(statements)).not.toContain(logicalId(built.stack.functions.handlers.RemediateAccount.function));
    // ... while the rollout role can.
    expect(JSON.stringify(roleStatements(built.json, logicalId(built.stack.rollout.role)))).toContain(
      logicalId(built.stack.functions.handlers.RemediateAccount.function),
    );
  });
});

describe('drift schedule', () => {
  test('starts a run of the scan-only machine daily, through a role that may start only that machine', () => {
    const [, schedule] = only('AWS::Scheduler::Schedule');
    const { scan } = machineIds();
    expect(schedule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED', Target: { Arn: { Ref: scan } } });
    const roleId = logicalId(built.stack.schedule!.role);
    expect(schedule.Properties.Target.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(roleStatements(built.json, roleId)).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: scan } }]);
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }),
    ]);
  });

  test('its input names the member roles, no ExternalId, and ExecutionInput (strict) accepts it', () => {
    const [, schedule] = only('AWS::Scheduler::Schedule');
    const input = JSON.parse(schedule.Properties.Target.Input);
    expect(input).toEqual({ mode: 'scan', trigger: 'schedule', roleName: 'KmsRotorScanRole', remediateRoleName: 'KmsRotorRemediateRole' });
    expect(ExecutionInput.parse(input)).toMatchObject({ mode: 'scan' });
    // The check is strict: an extra key would be refused.
    expect(ExecutionInput.safeParse({ ...input, allowedModes: 'scan' }).success).toBe(false);
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

  test('the topic key policy: administration by the account without kms:* or DisableKeyRotation; use only by alarms and finalize via SNS', () => {
    const [, key] = only('AWS::KMS::Key');
    const bySid = Object.fromEntries(key.Properties.KeyPolicy.Statement.map((st: Json) => [st.Sid, st]));
    expect(Object.keys(bySid).sort()).toEqual(['CloudWatchAlarmsPublish', 'FinalizePublishThroughSns', 'KeyAdministrationByAccount']);
    expect(bySid.KeyAdministrationByAccount.Action).not.toContain('kms:Decrypt');
    expect(bySid.FinalizePublishThroughSns.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    });
    expect(bySid.CloudWatchAlarmsPublish.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']],
        },
      },
    });
  });

  test('alarms on failed, timed-out and aborted executions of both machines and on drift and unscanned scopes, all to the topic', () => {
    const [topicId] = only('AWS::SNS::Topic');
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const { rollout, scan } = machineIds();
    const executionMetrics = ['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut'];
    const metrics = alarms.map((a) => `${a.Namespace}/${a.MetricName}/${a.Dimensions?.[0]?.Value?.Ref ?? '-'}`).sort();
    expect(metrics).toEqual(
      [
        ...executionMetrics.flatMap((m) => [`AWS/States/${m}/${rollout}`, `AWS/States/${m}/${scan}`]),
        'KmsRotor/DriftedKeys/-',
        'KmsRotor/ErrorScopes/-',
        // The stopped-executions dead-letter queue.
        'AWS/SQS/ApproximateNumberOfMessagesVisible/-',
      ].sort(),
    );
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ AlarmActions: [{ Ref: topicId }], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      if (alarm.Namespace === 'AWS/SQS') expect(alarm.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/^StoppedExecutionsDeadLetters/), 'QueueName'] } }]);
      else if (alarm.Namespace === 'AWS/States') expect(alarm.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: expect.any(String) } }]);
      // Finalize's run metrics are EMF with Powertools' service dimension (functions/observability/telemetry.ts).
      else expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: 'kms-rotor' }]);
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
      ExternalId: { Ref: 'ExternalId' },
      ScanRoleName: 'KmsRotorScanRole',
      RemediateRoleName: 'KmsRotorRemediateRole',
    });
    // Every parameter, unconditionally: the member template has no default for any of them.
    expect(stackSet.Properties.Parameters).toHaveLength(7);
    const member = memberTemplateOf(built.json);
    expect(Object.keys(member.Parameters).sort()).toEqual(Object.keys(parameters).sort());
    for (const parameter of Object.values<Json>(member.Parameters)) expect(parameter).not.toHaveProperty('Default');
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

  // Every KMS key policy of the app, statement by statement: who gets what. The account root keeps key
  // administration (PutKeyPolicy, ScheduleKeyDeletion...) because KMS's policy lockout safety check
  // refuses a key policy nobody could change afterwards, and a key nobody can administer is lost to
  // all but AWS Support; the root delegates to the account's IAM policies, as a default key policy does.
  // kms:DisableKeyRotation is granted to no one, so no IAM policy can turn the key's rotation off.
  const ROOT = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } };
  const KEY_ADMINISTRATION = [
    'kms:CancelKeyDeletion',
    'kms:CreateAlias',
    'kms:DeleteAlias',
    'kms:DescribeKey',
    'kms:DisableKey',
    'kms:EnableKey',
    'kms:EnableKeyRotation',
    'kms:GetKeyPolicy',
    'kms:GetKeyRotationStatus',
    'kms:ListAliases',
    'kms:ListGrants',
    'kms:ListKeyRotations',
    'kms:ListResourceTags',
    'kms:PutKeyPolicy',
    'kms:RevokeGrant',
    'kms:RotateKeyOnDemand',
    'kms:ScheduleKeyDeletion',
    'kms:TagResource',
    'kms:UntagResource',
    'kms:UpdateAlias',
    'kms:UpdateKeyDescription',
  ];
  const KEY_POLICY_ALLOW_LIST = (): Record<string, { principal: Json; actions: string[]; conditioned: boolean }> => ({
    KeyAdministrationByAccount: { principal: ROOT, actions: KEY_ADMINISTRATION, conditioned: false },
    CloudWatchAlarmsPublish: { principal: { Service: 'cloudwatch.amazonaws.com' }, actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], conditioned: true },
    FinalizePublishThroughSns: {
      principal: { AWS: { 'Fn::GetAtt': [logicalId(built.stack.functions.handlers.Finalize.role), 'Arn'] } },
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      conditioned: true,
    },
  });

  test('every key policy grants exactly the allow-list, to exactly its principals, and nothing that turns rotation off', () => {
    const keys = Object.values(built.templates).flatMap((t) => Object.entries<Json>(t.Resources).filter(([, r]) => r.Type === 'AWS::KMS::Key'));
    expect(keys).toHaveLength(1);
    const allowList = KEY_POLICY_ALLOW_LIST();
    expect([...TOPIC_KEY_ADMIN_ACTIONS].sort()).toEqual(KEY_ADMINISTRATION);
    for (const [keyId, key] of keys) {
      const granted = Object.fromEntries(
        key.Properties.KeyPolicy.Statement.map((st: Json) => {
          expect(st.Effect).toBe('Allow');
          expect(st).not.toHaveProperty('NotAction');
          expect(st).not.toHaveProperty('NotPrincipal');
          expect(st.Resource).toBe('*');
          for (const action of [st.Action].flat() as string[]) {
            if (actionMatches(action, 'kms:DisableKeyRotation')) throw new Error(`${keyId} ${st.Sid}: ${action} allows kms:DisableKeyRotation`);
            expect(action).not.toBe('kms:*');
          }
          return [st.Sid, { principal: st.Principal, actions: [st.Action].flat().sort(), conditioned: st.Condition !== undefined }];
        }),
      );
      expect(granted).toEqual(allowList);
    }
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
    // Only IAM5 wildcard-resource findings, SQS3 on the stopped-executions dead-letter queue (a DLQ
    // has none of its own) and the ExternalId secret's rotation (SMG4: it changes with the member
    // StackSet) are acknowledged; every other rule passes outright.
    const rules = new Set(nag.acknowledgments.map((a) => a.id.replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual(['AwsSolutions-IAM5', 'AwsSolutions-SMG4', 'AwsSolutions-SQS3']);
  });

  test('each acknowledgment has its own reason, naming the role it excuses', () => {
    const nag = runNag(built.app);
    // One grant may cover several resources under one reason, but no two roles share a reason.
    const pathsByReason = new Map<string, Set<string>>();
    for (const ack of nag.acknowledgments) pathsByReason.set(ack.reason, (pathsByReason.get(ack.reason) ?? new Set()).add(ack.path));
    const shared = [...pathsByReason].filter(([, paths]) => paths.size > 1).map(([reason, paths]) => `${[...paths].join(', ')}: ${reason}`);
    expect(shared).toEqual([]);
    for (const [id] of Object.entries(HANDLERS)) {
      const acks = nag.acknowledgments.filter((a) => a.path === built.stack.functions.handlers[id as HandlerId].role.node.path);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) expect(ack.reason).toContain(id);
    }
    for (const machine of [built.stack.rollout, built.stack.scan]) {
      for (const ack of nag.acknowledgments.filter((a) => a.path === machine.role.node.path)) expect(ack.reason).toContain(machine.stateMachineName);
    }
  });

  test('the acknowledgment of the orchestrator account\'s keys says what each function may do to them', () => {
    const nag = runNag(built.app);
    const keysAck = (id: HandlerId) =>
      nag.acknowledgments.find((a) => a.path === built.stack.functions.handlers[id].role.node.path && a.id.includes(':kms:*:<AWS::AccountId>:key/*'))!;
    expect(keysAck('RemediateAccount').reason).toMatch(/grants kms:EnableKeyRotation .* on every key of the orchestrator's own account.*remediates with its own credentials/);
    expect(keysAck('ScanAccount').reason).not.toContain('EnableKeyRotation');
    expect(keysAck('ScanAccount').reason).toMatch(/every key of the orchestrator's own account.*scans with its own credentials/);
  });

  test('the Map Run acknowledgment names only child executions', () => {
    const nag = runNag(built.app);
    const childAcks = nag.acknowledgments.filter((a) => a.id.includes(':execution:'));
    expect(childAcks.map((a) => a.id.replace(/^.*:execution:/, '')).sort()).toEqual(['KmsRotor-rollout/*]', 'KmsRotor-scan/*]']);
    for (const ack of childAcks) expect(ack.reason).not.toMatch(/execution:[^/\s]+:<id>/);
  });
});

test('cfn-lint passes on the stack template and the member template', () => {
  const files = templatesToLint(built, 'default');
  expect(files).toHaveLength(2);
  expect(cfnLint(files)).toEqual({ status: 0, output: '' });
});

test('Template assertions agree: two state machines with the ASL definition string', () => {
  built.template.resourcePropertiesCountIs('AWS::StepFunctions::StateMachine', { DefinitionString: Match.stringLikeRegexp('"ItemReader"') }, 2);
});
