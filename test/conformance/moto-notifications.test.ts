// Drift notices on the wire: Finalize's publisher against moto's SNS, so the message is what AWS
// would receive. (The run's metrics are EMF from the invocation: test/infra/observability.test.ts.)
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { publishDrift, type DriftNotice } from '../../functions/aws/notifications';
import { useMotoSuite } from './moto-org';

const suite = useMotoSuite({ resetEach: false });

const notice = (driftedKeys: number): DriftNotice => ({
  runId: 'run-1',
  status: 'SUCCEEDED',
  nonCompliantKeys: 7,
  driftedKeys,
  errorScopes: 2,
  subject: `kms-rotor: ${driftedKeys} KMS key(s) drifted`,
  message: 'details',
});

it('publishes the SNS message only when keys drifted', async () => {
  const sns = new SNSClient({});
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'kms-rotor-drift' }));
  const publish = publishDrift(TopicArn)!;

  await suite.moto.startRecording();
  await publish(notice(0));
  await publish(notice(3));
  const requests = await suite.moto.stopRecording();

  const publishes = requests.filter((r) => /Action=Publish\b/.test(r.body) || /Action=Publish\b/.test(r.url));
  expect(publishes).toHaveLength(1);
  const body = new URLSearchParams(publishes[0].body);
  expect(body.get('TopicArn')).toBe(TopicArn);
  expect(body.get('Subject')).toBe('kms-rotor: 3 KMS key(s) drifted');
  sns.destroy();
});

it('publishes nothing when the deployment names no topic', () => {
  expect(publishDrift(undefined)).toBeUndefined();
});
