// What a deployed run says: the handlers invoked as Lambda invokes them (AWS_LAMBDA_FUNCTION_NAME
// set, a Lambda context, dependencies from the environment) against the simulated organization,
// the embedded table and moto's S3. Their stdout is Powertools Logger JSON (the step, run id and
// account on every line, the Lambda context) and EMF blobs naming the metrics. In-process (the
// local runner, the CLI) the same handlers say nothing. And the stack's dashboard and alarms read
// those metrics.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { handler as finalize } from '../../functions/handlers/finalize';
import { handler as getWave } from '../../functions/handlers/get-wave';
import { handler as planWaves } from '../../functions/handlers/plan-waves';
import { handler as recordError } from '../../functions/handlers/record-error';
import { handler as remediateAccount } from '../../functions/handlers/remediate-account';
import { handler as scanAccount } from '../../functions/handlers/scan-account';
import { handler as validateInput } from '../../functions/handlers/validate-input';
import { ExecutionInput } from '../../functions/core/schemas';
import { EMBEDDED_TABLE, startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { useSimulatorEnv } from '../../local/simulator-env';
import { STANDARD, standardScenarioPath } from '../scenarios';
import { startMoto, type MotoServer } from '../support/moto';
import { buildApp, type Json } from './support';

const BUCKET = 'kms-rotor-observability-test';
let sim: SimulatedOrganization;
let moto: MotoServer;
let embedded: EmbeddedStore;
let restoreEnv: () => void;

beforeAll(async () => {
  [sim, moto, embedded] = await Promise.all([startSimulator({ scenario: standardScenarioPath }), startMoto(), startEmbeddedStore()]);
  const client = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
  restoreEnv = useSimulatorEnv(sim, { TABLE_NAME: EMBEDDED_TABLE, RESULTS_BUCKET: BUCKET, AWS_ENDPOINT_URL_DYNAMODB: embedded.endpoint, AWS_ENDPOINT_URL_S3: moto.endpoint });
}, 60_000);
afterAll(async () => {
  restoreEnv();
  await Promise.all([embedded.close(), sim.close(), moto.stop()]);
});

/** A Lambda context as the runtime passes it. */
const contextOf = (fn: string) => ({
  functionName: `KmsRotor-${fn}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:100000000001:function:KmsRotor-${fn}`,
  memoryLimitInMB: '256',
  awsRequestId: `req-${fn}`,
  logGroupName: `/aws/lambda/KmsRotor-${fn}`,
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 900_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Runs `invoke` with stdout and stderr captured (Lambda sends both to the log); returns their JSON lines (the log lines and EMF blobs). */
async function captured(invoke: () => Promise<unknown>): Promise<{ lines: Json[]; text: string; error?: unknown }> {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  let error: unknown;
  try {
    await invoke();
  } catch (e) {
    error = e;
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  const text = chunks.join('');
  const lines = text.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Json);
  return { lines, text, error };
}

const logLines = (lines: Json[]) => lines.filter((l) => typeof l.message === 'string');
const emfMetrics = (lines: Json[]) => lines.filter((l) => l._aws?.CloudWatchMetrics).flatMap((l) => l._aws.CloudWatchMetrics.flatMap((m: Json) => m.Metrics.map((x: Json) => x.Name))) as string[];
const emfValue = (lines: Json[], name: string) => lines.filter((l) => l._aws?.CloudWatchMetrics && name in l).map((l) => l[name]);

describe('in-process (the local runner and the CLI)', () => {
  it('a handler outside Lambda writes nothing on stdout or stderr', async () => {
    const { text } = await captured(() => validateInput({ input: { mode: 'scan', runId: 'quiet-1' } }, contextOf('ValidateInput')));
    expect(text).toBe('');
  });
});

describe('a deployed-shape run', () => {
  const runId = 'observed-1';
  const config = ExecutionInput.parse({ mode: 'remediate' });
  const member = { accountId: '100000000005', name: 'dev', parentIds: [], tags: {}, priority: false };
  beforeAll(() => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'KmsRotor-test';
  });
  afterAll(() => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  });

  it('ScanAccount logs JSON with the step, run id, account and Lambda context, each Region, and emits the scan metrics', async () => {
    await validateInput({ input: { mode: 'remediate', runId } }, contextOf('ValidateInput'));
    const { lines, error } = await captured(() => scanAccount({ runId, config, account: member }, contextOf('ScanAccount')));
    expect(error).toBeUndefined();
    const logs = logLines(lines);
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      expect(line).toMatchObject({ service: 'kms-rotor', step: 'ScanAccount', runId, accountId: member.accountId, function_request_id: 'req-ScanAccount', function_name: 'KmsRotor-ScanAccount' });
      expect(typeof line.level).toBe('string');
      expect(typeof line.timestamp).toBe('string');
    }
    const regions = logs.filter((l) => l.message === 'Region scanned').map((l) => l.region).sort();
    expect(regions).toEqual((await embedded.store.getAccountSummary(runId, member.accountId))?.scannedRegions);
    const names = emfMetrics(lines);
    for (const name of ['KeysScanned', 'KeysByStatus', 'ScanAccountDuration']) expect(names).toContain(name);
    expect(emfValue(lines, 'KeysScanned')).toEqual([sim.listKeys(member.accountId).length]);
    const blob = lines.find((l) => 'KeysScanned' in l)!;
    expect(blob._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'KmsRotor', Dimensions: [['service']] });
    expect(blob.service).toBe('kms-rotor');
    // Nothing of credentials on any line.
    expect(JSON.stringify(lines)).not.toMatch(/secretAccessKey|sessionToken|SecretAccessKey|SessionToken/);
  });

  it('a member without the role: the error log, AssumeRoleDenied, and RecordError logs the error record', async () => {
    const account = { accountId: STANDARD.memberWithoutRole, name: '', parentIds: [], tags: {}, priority: false };
    const scan = await captured(() => scanAccount({ runId, config, account }, contextOf('ScanAccount')));
    expect(scan.error).toMatchObject({ name: 'MemberAccessDenied' });
    expect(logLines(scan.lines)).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'Step failed', errorName: 'MemberAccessDenied', accountId: account.accountId, runId }));
    expect(emfValue(scan.lines, 'AssumeRoleDenied')).toEqual([1]);

    const cause = JSON.stringify({ errorType: 'MemberAccessDenied', errorMessage: (scan.error as Error).message });
    const recorded = await captured(() =>
      recordError({ runId, accountId: account.accountId, phase: 'scan', failure: { Error: 'MemberAccessDenied', Cause: cause } }, contextOf('RecordError')),
    );
    expect(recorded.error).toBeUndefined();
    expect(logLines(recorded.lines)).toContainEqual(expect.objectContaining({ message: 'Error record', step: 'RecordError', runId, accountId: account.accountId, phase: 'scan', error: expect.stringMatching(/^MemberAccessDenied/) }));
  });

  it('RemediateAccount logs each key enabled and counts KeysRemediated; Finalize emits the run metrics', async () => {
    await planWaves({ runId, config }, contextOf('PlanWaves'));
    const wave = await getWave({ runId, wave: 1 }, contextOf('GetWave'));
    expect(wave.accounts).toContain(member.accountId);
    const { lines, error } = await captured(() => remediateAccount({ runId, wave: 1, config, accountId: member.accountId }, contextOf('RemediateAccount')));
    expect(error).toBeUndefined();
    const enabled = logLines(lines).filter((l) => l.message === 'Key rotation enabled');
    expect(enabled.length).toBeGreaterThan(0);
    for (const line of enabled) expect(line).toMatchObject({ step: 'RemediateAccount', runId, accountId: member.accountId, wave: 1, keyArn: expect.stringMatching(/^arn:aws:kms:/) });
    expect(emfValue(lines, 'KeysRemediated')).toEqual([enabled.length]);

    const finalized = await captured(() => finalize({ runId, config }, contextOf('Finalize')));
    expect(finalized.error).toBeUndefined();
    expect(emfMetrics(finalized.lines)).toEqual(expect.arrayContaining(['NonCompliantKeys', 'DriftedKeys', 'ErrorScopes']));
    expect(emfValue(finalized.lines, 'ErrorScopes')).toEqual([1]);
  });
});

describe('the synthesized stack', () => {
  const built = buildApp({ organizationId: 'o-abcdefghij', externalId: 'ext-123456' }, { bundle: false });
  const ofType = (type: string) => Object.entries<Json>(built.json.Resources).filter(([, r]) => r.Type === type);

  it('has the operations dashboard over the functions\' metrics and the state machines', () => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0][1].Properties.DashboardBody);
    for (const title of ['Runs', 'Compliance', 'Remediation and failures', 'Throttling', 'Durations']) expect(body).toContain(title);
    for (const metric of ['KeysByStatus', 'NonCompliantKeys', 'DriftedKeys', 'KeysRemediated', 'RemediationFailed', 'ErrorScopes', 'AssumeRoleDenied', 'ThrottledRegions', 'ScanAccountDuration', 'ExecutionsFailed']) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('\\"service\\",\\"kms-rotor\\"');
  });

  it('the drift alarms watch the EMF metrics: the KmsRotor namespace, the service dimension', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties).filter((p) => p.Namespace === 'KmsRotor');
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(['DriftedKeys', 'ErrorScopes']);
    for (const alarm of alarms) expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: 'kms-rotor' }]);
  });

  it('no function may call PutMetricData', () => {
    expect(JSON.stringify(built.json)).not.toContain('cloudwatch:PutMetricData');
  });
});
