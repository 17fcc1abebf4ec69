// The Lambda entry points as deployed: dependencies from the environment (TABLE_NAME,
// RESULTS_BUCKET, the SDK's endpoint settings), the error names Step Functions retries and
// catches by. The bucket of account scans is moto's S3.
import { handler as scanAccount } from '../../functions/handlers/scan-account';
import { handler as validateInput } from '../../functions/handlers/validate-input';
import { handler as recordError } from '../../functions/handlers/record-error';
import { asStepError } from '../../functions/handlers/step-errors';
import { newRun } from '../../functions/core/runs';
import { ExecutionInput } from '../../functions/core/schemas';
import { EMBEDDED_TABLE, startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { useSimulatorEnv } from '../../local/simulator-env';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EXTERNAL_ID_SECRET_ENV } from '../../functions/aws/external-id';
import { S3ObjectStore } from '../../functions/store/object-store';
import { ResultsStore } from '../../functions/store/results-store';
import { STANDARD, standardScenarioPath } from '../scenarios';
import { startMoto, type MotoServer } from '../support/moto';

const BUCKET = 'kms-rotor-results-test';
let sim: SimulatedOrganization;
let moto: MotoServer;
let embedded: EmbeddedStore;
/** The deployed store as the functions see it: the embedded table, moto's bucket. */
let deployed: ResultsStore;
let restoreEnv: () => void;

beforeAll(async () => {
  [sim, moto, embedded] = await Promise.all([startSimulator({ scenario: standardScenarioPath }), startMoto(), startEmbeddedStore()]);
  const s3 = { endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const client = new S3Client(s3);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
  const dynamo = new DynamoDBClient({ endpoint: embedded.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' } });
  deployed = new ResultsStore(dynamo, EMBEDDED_TABLE, new S3ObjectStore(BUCKET, s3));
  restoreEnv = useSimulatorEnv(sim, { TABLE_NAME: EMBEDDED_TABLE, RESULTS_BUCKET: BUCKET, AWS_ENDPOINT_URL_DYNAMODB: embedded.endpoint, AWS_ENDPOINT_URL_S3: moto.endpoint });
}, 60_000);
afterAll(async () => {
  restoreEnv();
  await Promise.all([embedded.close(), sim.close(), moto.stop()]);
});

describe('Lambda entry points', () => {
  it('ValidateInput records the run under the execution name, defaults applied', async () => {
    const out = await validateInput({
      input: { mode: 'scan' },
      executionId: 'arn:aws:states:us-east-1:100000000001:execution:rollout:exec-123',
      startTime: '2026-11-29T10:00:00.000Z',
    });
    expect(out.runId).toBe('exec-123');
    expect(out.config).toMatchObject({ mode: 'scan', roleName: 'KmsRotorScanRole', waves: { size: 50, order: 'priority', maxFailureRate: 0.05 } });
    expect(await embedded.store.getRun('exec-123')).toMatchObject({ status: 'RUNNING', startedAt: '2026-11-29T10:00:00.000Z', scope: 'org' });
  });

  it('ValidateInput fails with InputError naming the field, and records nothing', async () => {
    await expect(validateInput({ input: { mode: 'scan', waves: { size: 0 } }, executionId: 'arn:x:execution:rollout:bad' })).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('waves.size'),
    });
    await expect(validateInput({ input: { mode: 'scan', colour: 'blue' } })).rejects.toThrow(/colour: is not a known field/);
    expect(await embedded.store.getRun('bad')).toBeUndefined();
  });

  it('ScanAccount writes the account\'s findings and returns only counts', async () => {
    const config = ExecutionInput.parse({});
    const out = await scanAccount({ runId: 'exec-123', config, account: { accountId: '100000000005', name: 'dev', parentIds: [], tags: {}, priority: false } });
    expect(out).toEqual({ accountId: '100000000005', keys: sim.listKeys('100000000005').length, errors: 0 });
    const stored = [];
    for await (const f of deployed.findings('exec-123', '100000000005')) stored.push(f);
    expect(stored).toHaveLength(out.keys);
  });

  it('ScanAccount names a missing role MemberAccessDenied, which the ASL catches into RecordError', async () => {
    const config = ExecutionInput.parse({});
    const account = { accountId: STANDARD.memberWithoutRole, name: '', parentIds: [], tags: {}, priority: false };
    const failure = await scanAccount({ runId: 'exec-123', config, account }).catch((e: Error) => e);
    expect(failure).toMatchObject({ name: 'MemberAccessDenied' });
    // What Step Functions hands the Catch: Error and a Cause holding Lambda's JSON.
    const cause = JSON.stringify({ errorType: 'MemberAccessDenied', errorMessage: (failure as Error).message });
    await recordError({ runId: 'exec-123', accountId: STANDARD.memberWithoutRole, phase: 'scan', failure: { Error: 'MemberAccessDenied', Cause: cause } });
    expect(await embedded.store.errors('exec-123')).toEqual([
      expect.objectContaining({ accountId: STANDARD.memberWithoutRole, phase: 'scan', error: expect.stringMatching(/^MemberAccessDenied: cannot assume/) }),
    ]);
  });
});

describe('deployment defaults', () => {
  it('ValidateInput takes the member role names from the deployment unless the input names them', async () => {
    Object.assign(process.env, { SCAN_ROLE_NAME: 'OrgScan', REMEDIATE_ROLE_NAME: 'OrgFix' });
    try {
      const out = await validateInput({ input: { mode: 'scan', runId: 'defaults-1' } });
      expect(out.config).toMatchObject({ roleName: 'OrgScan', remediateRoleName: 'OrgFix' });
      expect(out.config).not.toHaveProperty('externalId');
      const overridden = await validateInput({ input: { mode: 'scan', runId: 'defaults-2', roleName: 'Other' } });
      expect(overridden.config.roleName).toBe('Other');
    } finally {
      for (const name of ['SCAN_ROLE_NAME', 'REMEDIATE_ROLE_NAME']) delete process.env[name];
    }
  });

  it('ValidateInput refuses an input that still carries externalId, naming the field and where it lives, and records nothing', async () => {
    const refused = validateInput({ input: { mode: 'scan', runId: 'with-external-id', externalId: 'ext-123' } });
    await expect(refused).rejects.toMatchObject({ name: 'InputError', message: expect.stringMatching(/^externalId: is not part of the execution input: the ExternalId is the deployment's configuration/) });
    await expect(refused).rejects.not.toThrow(/ext-123/);
    expect(await embedded.store.getRun('with-external-id')).toBeUndefined();
  });
});

describe('the ExternalId, deployed', () => {
  const MEMBER = '100000000005';
  const EXTERNAL_ID = 'rotor-ext-lambda-7';
  const account = { accountId: MEMBER, name: 'dev', parentIds: [], tags: {}, priority: false };
  let secrets: SecretsManagerClient;

  beforeAll(() => {
    secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
    // The member's scan role now demands the ExternalId; the SDK finds Secrets Manager at moto.
    sim.setRoles(MEMBER, [{ name: 'KmsRotorScanRole', externalId: EXTERNAL_ID }, { name: 'KmsRotorRemediateRole', externalId: EXTERNAL_ID }]);
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = moto.endpoint;
  });
  afterAll(() => {
    sim.setRoles(MEMBER, STANDARD.roleNames.map((name) => ({ name })));
    delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    delete process.env[EXTERNAL_ID_SECRET_ENV];
    secrets.destroy();
  });

  it('ScanAccount reads it from the secret its environment names (moto), and assumes the member role with it', async () => {
    const { ARN } = await secrets.send(new CreateSecretCommand({ Name: 'kms-rotor-external-id', SecretString: EXTERNAL_ID }));
    process.env[EXTERNAL_ID_SECRET_ENV] = ARN;
    await validateInput({ input: { mode: 'scan', runId: 'exec-secret' } });
    const out = await scanAccount({ runId: 'exec-secret', config: ExecutionInput.parse({}), account });
    expect(out).toEqual({ accountId: MEMBER, keys: sim.listKeys(MEMBER).length, errors: 0 });
    expect(out.keys).toBeGreaterThan(0);
  });

  it('without the secret in its environment ScanAccount passes no ExternalId, and the role refuses it: MemberAccessDenied', async () => {
    delete process.env[EXTERNAL_ID_SECRET_ENV];
    await validateInput({ input: { mode: 'scan', runId: 'exec-no-secret' } });
    await expect(scanAccount({ runId: 'exec-no-secret', config: ExecutionInput.parse({}), account })).rejects.toMatchObject({ name: 'MemberAccessDenied' });
  });
});

describe('the scan-only state machine', () => {
  it('ValidateInput refuses remediate where the definition allows scan only', async () => {
    await expect(validateInput({ input: { mode: 'remediate', runId: 'modes-1' }, allowedModes: 'scan' })).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^mode: this state machine runs scan only/),
    });
    expect(await embedded.store.getRun('modes-1')).toBeUndefined();
    expect((await validateInput({ input: { mode: 'scan', runId: 'modes-2' }, allowedModes: 'scan' })).config.mode).toBe('scan');
    expect((await validateInput({ input: { mode: 'remediate', runId: 'modes-3' }, allowedModes: 'scan,remediate' })).config.mode).toBe('remediate');
  });

  it('ValidateInput takes the deployment\'s default rotation period', async () => {
    process.env.DEFAULT_ROTATION_PERIOD_DAYS = '180';
    try {
      expect((await validateInput({ input: { runId: 'period-1' } })).config.rotationPeriodInDays).toBe(180);
      expect((await validateInput({ input: { runId: 'period-2', rotationPeriodInDays: 90 } })).config.rotationPeriodInDays).toBe(90);
    } finally {
      delete process.env.DEFAULT_ROTATION_PERIOD_DAYS;
    }
  });
});

describe('run ids', () => {
  it('a retried ValidateInput finds its own run; another execution may not reuse the id', async () => {
    const first = { input: { runId: 'reuse-1' }, executionId: 'arn:aws:states:us-east-1:100000000001:execution:rollout:a' };
    expect((await validateInput(first)).runId).toBe('reuse-1');
    expect((await validateInput(first)).runId).toBe('reuse-1');
    await expect(validateInput({ ...first, executionId: 'arn:aws:states:us-east-1:100000000001:execution:rollout:b' })).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^runId: "reuse-1" is already used/),
    });
  });
});

describe('error names the state machine sees', () => {
  it('throttling from any service becomes ThrottlingError; other errors keep their name', () => {
    const named = (name: string, message = 'm') => Object.assign(new Error(message), { name });
    expect(asStepError(named('TooManyRequestsException', 'Rate exceeded'))).toMatchObject({ name: 'ThrottlingError', message: 'TooManyRequestsException: Rate exceeded' });
    expect(asStepError(named('ProvisionedThroughputExceededException'))).toMatchObject({ name: 'ThrottlingError' });
    expect(asStepError(named('ThrottlingException'))).toMatchObject({ name: 'ThrottlingError' });
    expect(asStepError(named('MemberAccessDenied'))).toMatchObject({ name: 'MemberAccessDenied' });
    // KMS's LimitExceededException is a resource quota: waiting does not help, so it is not throttling.
    expect(asStepError(named('LimitExceededException'))).toMatchObject({ name: 'LimitExceededException' });
    expect(asStepError('plain')).toMatchObject({ name: 'Error', message: 'plain' });
  });
});

describe('a retried scan', () => {
  it('skips the Regions an earlier attempt finished', async () => {
    const config = ExecutionInput.parse({});
    const account = { accountId: '100000000004', name: 'staging', parentIds: [], tags: {}, priority: false };
    // An earlier attempt wrote us-east-1 (with no keys there, as far as this test cares).
    await deployed.createRun(newRun('retry-1', config, new Date()));
    await deployed.putAccountScan({ runId: 'retry-1', accountId: account.accountId, scannedRegions: ['us-east-1'], findings: [], errors: [] });
    sim.resetCallCounts();
    const out = await scanAccount({ runId: 'retry-1', config, account });
    expect(sim.totalCalls({ service: 'kms', region: 'us-east-1' })).toBe(0);
    expect(sim.totalCalls({ service: 'kms', region: 'eu-west-1' })).toBeGreaterThan(0);
    expect(out.keys).toBe(sim.listKeys(account.accountId).filter((k) => k.region !== 'us-east-1').length);
    expect((await embedded.store.getAccountSummary('retry-1', account.accountId))?.scannedRegions).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
  });
});
