// UpdatePrimaryRegion end to end on the simulated organization: a multi-Region key whose primary
// moves to its replica's Region, the two CloudTrail entries the simulator logs for it (old and new
// primary's Region) enforced by `rotor enforce --local`, and the new primary's rotation turned on
// (remediate) or recorded off (detect), checked by asking the simulator and the store.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetKeyRotationStatusCommand, UpdatePrimaryRegionCommand } from '@aws-sdk/client-kms';
import { memberKms, useHarness } from '../support/harness';
import { rotor } from '../support/rotor-cli';
import { standardScenarioPath } from '../scenarios';

const MEMBER = '100000000003';
const OLD = 'us-east-1';
const NEW = 'eu-west-1';

const h = useHarness({ scenario: standardScenarioPath });

interface TrailEvent {
  region: string;
  detail: { eventName: string; eventID: string; resources: { ARN: string }[] };
}

/** Moves the key's primary from OLD to NEW through the SDK and returns the CloudTrail events the simulator logged for it. */
async function movePrimary(keyId: string): Promise<TrailEvent[]> {
  const before = h.sim.cloudTrailEvents().length;
  const kms = await memberKms(MEMBER, OLD, 'bob');
  await kms.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: NEW }));
  kms.destroy();
  return (h.sim.cloudTrailEvents().slice(before) as unknown as TrailEvent[]).filter((e) => e.detail.eventName === 'UpdatePrimaryRegion');
}

const dir = mkdtempSync(join(tmpdir(), 'rotor-primary-'));
const dataDir = join(dir, 'store');

async function enforce(events: TrailEvent[], mode: 'remediate' | 'detect', name: string) {
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
  const out = await rotor('enforce', '--local', '--events', file, '--enforcement', mode, '--rotation-period-days', '120', '--data-dir', dataDir, '--output', 'json');
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as { eventId: string; keyArn: string; outcome: string; record?: { eventName: string; principal: string; finding?: { status: string } } }[];
}

async function historyOf(keyArn: string) {
  const out = await rotor('history', keyArn, '--data-dir', dataDir, '--output', 'json');
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as { source?: string; eventId?: string; eventName?: string; status: string; region: string }[];
}

test('remediate: the replica that became the primary, without rotation, is rotating with the configured period and on record', async () => {
  const key = h.sim.createKey(MEMBER, OLD, { kind: 'multi-region-primary', replicaRegions: [NEW] });
  const newArn = `arn:aws:kms:${NEW}:${MEMBER}:key/${key.keyId}`;
  const events = await movePrimary(key.keyId);
  expect(events.map((e) => [e.region, e.detail.resources[0].ARN])).toEqual([
    [OLD, key.arn],
    [NEW, newArn],
  ]);

  const results = await enforce(events, 'remediate', 'remediate');
  // Both entries name the new primary; the first turns rotation on, the second finds it on.
  expect(results.map((r) => [r.eventId, r.keyArn, r.outcome, r.record?.finding?.status])).toEqual([
    [events[0].detail.eventID, newArn, 'enforced', 'REMEDIATED'],
    [events[1].detail.eventID, newArn, 'recorded', 'COMPLIANT'],
  ]);

  // The simulator: the new primary rotates every 120 days, and its replica (the old primary) follows it.
  const kms = await memberKms(MEMBER, NEW, 'bob');
  expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 120 });
  kms.destroy();
  expect(h.sim.getKey(MEMBER, NEW, key.keyId)).toMatchObject({ multiRegionKeyType: 'PRIMARY', rotationEnabled: true, rotationPeriodInDays: 120 });
  expect(h.sim.getKey(MEMBER, OLD, key.keyId)).toMatchObject({ multiRegionKeyType: 'REPLICA', primaryRegion: NEW, rotationEnabled: true });
  expect(h.sim.totalCalls({ accountId: MEMBER, region: NEW, operation: 'EnableKeyRotation' })).toBe(1);

  // The store: both events in the new primary's history, with their event ids.
  expect(await historyOf(newArn)).toEqual([
    expect.objectContaining({ source: 'event', eventName: 'UpdatePrimaryRegion', eventId: events[0].detail.eventID, status: 'REMEDIATED', region: NEW }),
    expect.objectContaining({ source: 'event', eventName: 'UpdatePrimaryRegion', eventId: events[1].detail.eventID, status: 'COMPLIANT', region: NEW }),
  ]);
  expect(results[0].record).toMatchObject({ eventName: 'UpdatePrimaryRegion', principal: `arn:aws:iam::${MEMBER}:role/KmsRotorRemediateRole` });
});

test('detect: the new primary is recorded NON_COMPLIANT and left as it is', async () => {
  const key = h.sim.createKey(MEMBER, OLD, { kind: 'multi-region-primary', replicaRegions: [NEW] });
  const newArn = `arn:aws:kms:${NEW}:${MEMBER}:key/${key.keyId}`;
  const events = await movePrimary(key.keyId);
  const enables = h.sim.totalCalls({ operation: 'EnableKeyRotation' });

  const results = await enforce(events, 'detect', 'detect');
  expect(results.map((r) => [r.keyArn, r.outcome, r.record?.finding?.status])).toEqual([
    [newArn, 'recorded', 'NON_COMPLIANT'],
    [newArn, 'recorded', 'NON_COMPLIANT'],
  ]);
  expect(h.sim.totalCalls({ operation: 'EnableKeyRotation' })).toBe(enables);
  expect(h.sim.getKey(MEMBER, NEW, key.keyId)).toMatchObject({ multiRegionKeyType: 'PRIMARY', rotationEnabled: false });
  expect((await historyOf(newArn)).map((f) => [f.eventId, f.status])).toEqual(events.map((e) => [e.detail.eventID, 'NON_COMPLIANT']));
});
