// Continuous enforcement against moto: keys created and changed in member accounts, fed to the
// EnforceKey handler as the CloudTrail events of those calls (through its SQS batch), come out
// rotating with the configured period (moto says so) and on record (the event's finding, with its
// event id, in the key's history). Duplicates, late events, deleted and AWS-managed keys, foreign
// accounts and forged sources each get a clear outcome, and nothing goes back to the queue. (A
// period outside the allowed range is tested on the simulator: moto 5.2 keeps no rotation period.)
import type { SQSEvent } from 'aws-lambda';
import { CancelKeyDeletionCommand, DisableKeyRotationCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { eventRunId } from '../../functions/core/key-event';
import { S3ManifestStore } from '../../functions/aws/manifests';
import { step as enforceKey } from '../../functions/handlers/enforce-key';
import { cloudTrailEvent, type EventSpec } from '../support/cloudtrail-events';
import { collect, createKeys, createOrganization, kmsCalls, kmsIn, motoRotation, useMotoSuite, type CreatedKey, type MotoOrganization } from './moto-org';

const REGION = 'us-east-1';
const PERIOD = 180;

let org: MotoOrganization;
let member: string;
const suite = useMotoSuite({ embeddedStore: true });

beforeEach(async () => {
  org = await createOrganization(['app']);
  member = org.members.app;
  Object.assign(process.env, { ENFORCEMENT: 'remediate', ROTATION_PERIOD_DAYS: String(PERIOD) });
  delete process.env.ALLOWED_ROTATION_RANGE;
  delete process.env.ENFORCEMENT_TOPIC_ARN;
});

let messages = 0;
/** The SQS batch the queue would hand the function: each EventBridge event as a message body. */
function batch(bodies: readonly unknown[]): SQSEvent {
  return { Records: bodies.map((body) => ({ messageId: `m-${++messages}`, body: typeof body === 'string' ? body : JSON.stringify(body) })) } as SQSEvent;
}

async function enforce(...bodies: unknown[]) {
  const step = enforceKey({ store: suite.embedded.store, manifests: new S3ManifestStore('unused'), now: () => new Date() });
  return step(batch(bodies));
}

const eventOf = (key: Pick<CreatedKey, 'accountId' | 'region' | 'keyId'>, eventName: string, more: Partial<EventSpec> = {}) =>
  cloudTrailEvent({ eventName, accountId: key.accountId, region: key.region, keyId: key.keyId, ...more });

/** Rotating, with the configured period where moto keeps one (moto 5.2 stores no RotationPeriodInDays). */
function expectRotating(rotation: { enabled: boolean; periodInDays?: number }): void {
  expect(rotation.enabled).toBe(true);
  if (rotation.periodInDays !== undefined) expect(rotation.periodInDays).toBe(PERIOD);
}

async function recordOf(key: CreatedKey, eventId: string) {
  return suite.embedded.store.getEventRecord(key.keyArn, eventId);
}

it('a key created without rotation is rotating with the configured period, on record with its event id and principal', async () => {
  const [key] = await createKeys([{ accountId: member, region: REGION, kind: 'not-rotating' }]);
  const event = eventOf(key, 'CreateKey', { eventId: 'create-1', principalArn: `arn:aws:iam::${member}:user/Alice` });
  await suite.moto.startRecording();
  expect(await enforce(event)).toEqual({ batchItemFailures: [] });
  const enables = kmsCalls(await suite.moto.stopRecording()).filter((c) => c.action === 'EnableKeyRotation');
  expect(enables.map((c) => c.body)).toEqual([{ KeyId: key.keyId, RotationPeriodInDays: PERIOD }]);

  expectRotating(await motoRotation(key));
  const record = await recordOf(key, 'create-1');
  expect(record).toMatchObject({ outcome: 'enforced', eventName: 'CreateKey', principal: `arn:aws:iam::${member}:user/Alice` });
  expect(record?.finding).toMatchObject({ status: 'REMEDIATED', source: 'event', eventId: 'create-1', runId: eventRunId('create-1'), rotationEnabledBefore: false, rotationEnabledAfter: true });
  const history = await collect(suite.embedded.store.keyHistory(key.keyArn));
  expect(history).toEqual([expect.objectContaining({ source: 'event', eventId: 'create-1', status: 'REMEDIATED' })]);
});

it('each event kind gets its outcome, checked in moto', async () => {
  const [disabledRotation, reEnabled, cancelled, primary, , exempt] = await createKeys([
    { accountId: member, region: REGION, kind: 'rotating' },
    { accountId: member, region: REGION, kind: 'disabled' },
    { accountId: member, region: REGION, kind: 'pending-deletion' },
    { accountId: member, region: REGION, kind: 'mrk', replicaRegion: 'eu-west-1' },
    { accountId: member, region: REGION, kind: 'not-rotating' },
  ]);
  const kms = await kmsIn(member, REGION);
  await kms.send(new DisableKeyRotationCommand({ KeyId: disabledRotation.keyId }));
  await kms.send(new EnableKeyCommand({ KeyId: reEnabled.keyId }));
  await kms.send(new CancelKeyDeletionCommand({ KeyId: cancelled.keyId }));
  kms.destroy();
  await suite.embedded.store.addException({ target: exempt.keyArn, owner: 'team-a', reason: 'legacy app', expiresAt: '2999-12-31', createdAt: new Date().toISOString() });

  const events = {
    disable: eventOf(disabledRotation, 'DisableKeyRotation'),
    enable: eventOf(reEnabled, 'EnableKey'),
    cancel: eventOf(cancelled, 'CancelKeyDeletion'),
    replicate: eventOf(primary, 'ReplicateKey', { requestParameters: { replicaRegion: 'eu-west-1' } }),
    exempt: eventOf(exempt, 'CreateKey'),
  };
  expect(await enforce(...Object.values(events))).toEqual({ batchItemFailures: [] });
  const id = (e: Record<string, unknown>) => (e.detail as { eventID: string }).eventID;

  expectRotating(await motoRotation(disabledRotation));
  expect((await recordOf(disabledRotation, id(events.disable)))?.finding?.status).toBe('REMEDIATED');
  expectRotating(await motoRotation(reEnabled));
  expect((await recordOf(reEnabled, id(events.enable)))?.finding?.status).toBe('REMEDIATED');
  // A key whose deletion is cancelled comes back Disabled: on record, left alone.
  expect((await motoRotation(cancelled)).enabled).toBe(false);
  expect((await recordOf(cancelled, id(events.cancel)))?.finding).toMatchObject({ status: 'NOT_APPLICABLE', reason: 'key is disabled' });
  expectRotating(await motoRotation(primary));
  expect((await recordOf(primary, id(events.replicate)))?.finding?.status).toBe('REMEDIATED');
  expect((await motoRotation(exempt)).enabled).toBe(false);
  expect((await recordOf(exempt, id(events.exempt)))).toMatchObject({ outcome: 'recorded', finding: { status: 'EXEMPT', exception: { owner: 'team-a' } } });
});

it('duplicates and late events are harmless: one EnableKeyRotation, one record per event, the key as it is now', async () => {
  const [key] = await createKeys([{ accountId: member, region: REGION, kind: 'not-rotating' }]);
  const created = eventOf(key, 'CreateKey');
  await suite.moto.startRecording();
  expect(await enforce(created, created)).toEqual({ batchItemFailures: [] });
  expect(await enforce(created)).toEqual({ batchItemFailures: [] });
  expect(kmsCalls(await suite.moto.stopRecording()).filter((c) => c.action === 'EnableKeyRotation')).toHaveLength(1);

  // A DisableKeyRotation delivered after rotation is on again: the key is read, not the event believed.
  const late = eventOf(key, 'DisableKeyRotation', { time: '2020-01-01T00:00:00Z' });
  await suite.moto.startRecording();
  await enforce(late);
  expect(kmsCalls(await suite.moto.stopRecording()).filter((c) => c.action === 'EnableKeyRotation')).toEqual([]);
  expect((await recordOf(key, (late.detail as { eventID: string }).eventID))?.finding).toMatchObject({ status: 'COMPLIANT', rotationEnabledBefore: true });
  expect(await collect(suite.embedded.store.keyHistory(key.keyArn))).toHaveLength(2);
});

it('a deleted key, an AWS-managed key, a foreign account, a forged source and a malformed body: clear outcomes, nothing retried', async () => {
  const [awsManaged] = await createKeys([{ accountId: member, region: REGION, kind: 'aws-managed' }]);
  const gone = { accountId: member, region: REGION, keyId: '0b0b0b0b-1111-2222-3333-444444444444', keyArn: `arn:aws:kms:${REGION}:${member}:key/0b0b0b0b-1111-2222-3333-444444444444`, kind: 'not-rotating' as const };
  const goneEvent = eventOf(gone, 'EnableKey');
  const managedEvent = eventOf(awsManaged, 'CreateKey');
  const foreign = eventOf({ ...gone, accountId: '999999999999' }, 'CreateKey');
  const forged = { ...eventOf(awsManaged, 'CreateKey'), source: 'my.app' };
  await suite.moto.startRecording();
  expect(await enforce(goneEvent, managedEvent, foreign, forged, 'not json', { hello: 'world' })).toEqual({ batchItemFailures: [] });
  const requests = await suite.moto.stopRecording();
  expect(kmsCalls(requests).filter((c) => c.action === 'EnableKeyRotation')).toEqual([]);

  expect((await recordOf(gone, (goneEvent.detail as { eventID: string }).eventID))?.finding).toMatchObject({ status: 'NOT_APPLICABLE', reason: 'the key no longer exists' });
  expect((await recordOf(awsManaged, (managedEvent.detail as { eventID: string }).eventID))?.finding).toMatchObject({ status: 'NOT_APPLICABLE', reason: 'AWS-managed key' });
  expect(await suite.embedded.store.getEventRecord(`arn:aws:kms:${REGION}:999999999999:key/${gone.keyId}`, (foreign.detail as { eventID: string }).eventID)).toBeUndefined();
});

it('detect records the key without rotation and notifies, through the scan role, changing nothing', async () => {
  process.env.ENFORCEMENT = 'detect';
  const sns = new SNSClient({ region: REGION });
  process.env.ENFORCEMENT_TOPIC_ARN = (await sns.send(new CreateTopicCommand({ Name: 'kms-rotor-enforcement' }))).TopicArn;
  sns.destroy();
  const [key] = await createKeys([{ accountId: member, region: REGION, kind: 'not-rotating' }]);
  const event = eventOf(key, 'CreateKey');
  await suite.moto.startRecording();
  expect(await enforce(event)).toEqual({ batchItemFailures: [] });
  const requests = await suite.moto.stopRecording();
  expect(kmsCalls(requests).filter((c) => c.action === 'EnableKeyRotation')).toEqual([]);
  expect(requests.some((r) => r.body.includes('KmsRotorScanRole'))).toBe(true);
  expect(requests.some((r) => r.body.includes('KmsRotorRemediateRole'))).toBe(false);
  expect(requests.filter((r) => /Action=Publish/.test(r.body))).toHaveLength(1);
  expect((await motoRotation(key)).enabled).toBe(false);
  expect(await recordOf(key, (event.detail as { eventID: string }).eventID)).toMatchObject({ outcome: 'recorded', finding: { status: 'NON_COMPLIANT', source: 'event' } });
});
