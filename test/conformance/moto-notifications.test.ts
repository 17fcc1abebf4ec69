// Drift notices on the wire: Finalize's publisher against moto's SNS and CloudWatch, so the
// metrics and the message are what AWS would receive.
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { publishDrift, type DriftNotice } from '../../functions/aws/notifications';
import { startMoto, type MotoServer } from '../support/moto';
import { useMotoEnvironment } from './moto-org';

let moto: MotoServer;
let restoreEnv: () => void;
beforeAll(async () => {
  moto = await startMoto();
  restoreEnv = useMotoEnvironment(moto.endpoint);
});
afterAll(async () => {
  restoreEnv();
  await moto.stop();
});

const notice = (driftedKeys: number): DriftNotice => ({
  runId: 'run-1',
  status: 'SUCCEEDED',
  nonCompliantKeys: 7,
  driftedKeys,
  errorScopes: 2,
  subject: `kms-rotor: ${driftedKeys} KMS key(s) drifted`,
  message: 'details',
});

async function metricSum(cloudwatch: CloudWatchClient, name: string): Promise<number | undefined> {
  const out = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'KmsRotor',
      MetricName: name,
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 3_600_000),
      Period: 3600,
      Statistics: ['Sum'],
    }),
  );
  return out.Datapoints?.reduce((n, d) => n + (d.Sum ?? 0), 0);
}

it('publishes the three metrics always, and the SNS message only when keys drifted', async () => {
  const sns = new SNSClient({});
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'kms-rotor-drift' }));
  const publish = publishDrift(TopicArn, 'KmsRotor')!;

  await moto.startRecording();
  await publish(notice(0));
  await publish(notice(3));
  const requests = await moto.stopRecording();

  const publishes = requests.filter((r) => /Action=Publish\b/.test(r.body) || /Action=Publish\b/.test(r.url));
  expect(publishes).toHaveLength(1);
  const body = new URLSearchParams(publishes[0].body);
  expect(body.get('TopicArn')).toBe(TopicArn);
  expect(body.get('Subject')).toBe('kms-rotor: 3 KMS key(s) drifted');

  const cloudwatch = new CloudWatchClient({});
  expect(await metricSum(cloudwatch, 'NonCompliantKeys')).toBe(14);
  expect(await metricSum(cloudwatch, 'DriftedKeys')).toBe(3);
  expect(await metricSum(cloudwatch, 'ErrorScopes')).toBe(4);
  sns.destroy();
  cloudwatch.destroy();
});

it('publishes nothing when the deployment names neither a topic nor a namespace', () => {
  expect(publishDrift(undefined, undefined)).toBeUndefined();
});
