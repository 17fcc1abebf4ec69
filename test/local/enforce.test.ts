// Continuous enforcement on the simulated organization: the loop (a key created in a member
// account, the simulator's CloudTrail event of it, `rotor enforce --local`, the key rotating and on
// record in `rotor history`), the CLI's bad input, an account without the member role, a period
// outside the allowed range, and a burst of 1,000 CreateKey events in one account at the real
// KMS quotas, drained the way the deployed queue feeds the function (batches of 10, 2 at once).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { step as enforceKey } from '../../functions/handlers/enforce-key';
import { CLOUDTRAIL_PATH } from '../../local/sim/server';
import { memberKms, useHarness } from '../support/harness';
import { cloudTrailEvent } from '../support/cloudtrail-events';
import { rotor } from '../support/rotor-cli';
import { standardScenarioPath } from '../scenarios';

const MEMBER = '100000000002';
const NO_ROLE = '100000000006';
const REGION = 'us-east-1';

const h = useHarness({ scenario: standardScenarioPath });

describe('rotor enforce --local', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-enforce-'));
  const dataDir = join(dir, 'store');

  test('a key created in a member account, its CloudTrail event from the simulator, enforced: rotating with the period asked for, on record', async () => {
    const kms = await memberKms(MEMBER, REGION, 'alice');
    const created = await kms.send(new CreateKeyCommand({ Description: 'made by alice' }));
    kms.destroy();
    const keyArn = created.KeyMetadata!.Arn!;
    const events = (await (await fetch(`${h.sim.endpoint}${CLOUDTRAIL_PATH}`)).json()) as { detail: { eventName: string; eventID: string; responseElements?: { keyMetadata?: { arn?: string } } } }[];
    const event = events.find((e) => e.detail.eventName === 'CreateKey' && e.detail.responseElements?.keyMetadata?.arn === keyArn)!;
    expect(event).toBeDefined();
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));

    const out = await rotor('enforce', '--local', '--events', file, '--enforcement', 'remediate', '--rotation-period-days', '180', '--data-dir', dataDir, '--output', 'json');
    expect(out.code).toBe(0);
    const results = JSON.parse(out.stdout) as { eventId: string; keyArn?: string; outcome: string }[];
    expect(results).toHaveLength(events.length);
    expect(results.find((r) => r.eventId === event.detail.eventID)).toMatchObject({ keyArn, outcome: 'enforced' });
    expect(h.sim.getKey(MEMBER, REGION, created.KeyMetadata!.KeyId!)).toMatchObject({ rotationEnabled: true, rotationPeriodInDays: 180 });

    const history = await rotor('history', keyArn, '--data-dir', dataDir, '--output', 'json');
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout)).toEqual([expect.objectContaining({ source: 'event', eventId: event.detail.eventID, eventName: 'CreateKey', status: 'REMEDIATED', principal: `arn:aws:iam::${MEMBER}:role/KmsRotorRemediateRole` })]);

    // The same file again: every event a duplicate (or, for the enforcer's own calls, nothing to do), nothing enabled twice.
    const before = h.sim.totalCalls({ operation: 'EnableKeyRotation' });
    const again = await rotor('enforce', '--local', '--events', file, '--enforcement', 'remediate', '--data-dir', dataDir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`duplicate ${keyArn}`);
    expect(h.sim.totalCalls({ operation: 'EnableKeyRotation' })).toBe(before);
  });

  test('a malformed file: exit 2 naming the line, nothing enforced', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify(cloudTrailEvent({ eventName: 'CreateKey', accountId: MEMBER, region: REGION, keyId: '0b0b0b0b-1111-2222-3333-444444444444' }))}\n\n{"not": json}\n`);
    const before = h.sim.totalCalls();
    const out = await rotor('enforce', '--local', '--events', file, '--data-dir', dataDir);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--events: line 3: not a JSON event/);
    expect(h.sim.totalCalls()).toBe(before);
    expect((await rotor('enforce', '--events', file, '--data-dir', dataDir)).code).toBe(2);
  });
});

let messages = 0;
const batch = (bodies: unknown[]): SQSEvent => ({ Records: bodies.map((b) => ({ messageId: `m-${++messages}`, body: JSON.stringify(b) })) }) as SQSEvent;
const step = () => enforceKey({ store: h.embedded.store, manifests: new MemoryManifestStore(), now: () => new Date() });

test('an account without the member role: a failed record naming the role, not retried', async () => {
  process.env.ENFORCEMENT = 'remediate';
  const key = h.sim.createKey(NO_ROLE, REGION, { kind: 'not-rotating' });
  const event = cloudTrailEvent({ eventName: 'CreateKey', accountId: NO_ROLE, region: REGION, keyId: key.keyId });
  expect(await step()(batch([event]))).toEqual({ batchItemFailures: [] });
  const record = await h.embedded.store.getEventRecord(key.arn, (event.detail as { eventID: string }).eventID);
  expect(record).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/cannot assume .*KmsRotorRemediateRole/) });
});

test('EnableKeyRotation with a period outside the allowed range: the configured period is set', async () => {
  Object.assign(process.env, { ENFORCEMENT: 'remediate', ALLOWED_ROTATION_RANGE: '90-365', ROTATION_PERIOD_DAYS: '180' });
  try {
    const key = h.sim.createKey(MEMBER, REGION, { kind: 'rotating', rotationPeriodInDays: 2000 });
    const event = cloudTrailEvent({ eventName: 'EnableKeyRotation', accountId: MEMBER, region: REGION, keyId: key.keyId, requestParameters: { rotationPeriodInDays: 2000 } });
    expect(await step()(batch([event]))).toEqual({ batchItemFailures: [] });
    expect(h.sim.getKey(MEMBER, REGION, key.keyId)).toMatchObject({ rotationEnabled: true, rotationPeriodInDays: 180 });
    expect((await h.embedded.store.getEventRecord(key.arn, (event.detail as { eventID: string }).eventID))?.finding).toMatchObject({ status: 'REMEDIATED', rotationPeriodInDays: 180, reason: 'rotation period 2000 days is outside the allowed 90-365' });
  } finally {
    delete process.env.ALLOWED_ROTATION_RANGE;
    delete process.env.ROTATION_PERIOD_DAYS;
  }
});

test('a burst of 1,000 CreateKey events in one account, at the real quotas: every key enforced, nothing dropped, throttling all absorbed', async () => {
  process.env.ENFORCEMENT = 'remediate';
  const keys = Array.from({ length: 1000 }, () => h.sim.createKey(MEMBER, 'eu-west-1', { kind: 'not-rotating' }));
  const queue = keys.map((k) => cloudTrailEvent({ eventName: 'CreateKey', accountId: MEMBER, region: 'eu-west-1', keyId: k.keyId }));
  const byMessage = new Map<string, unknown>();
  let redelivered = 0;
  // Two consumers (the event source's maximum concurrency), ten messages each time, failed items back on the queue.
  const consumer = async () => {
    for (let next = queue.splice(0, 10); next.length > 0; next = queue.splice(0, 10)) {
      const event = batch(next);
      event.Records.forEach((r, i) => byMessage.set(r.messageId, next[i]));
      const { batchItemFailures } = await step()(event);
      redelivered += batchItemFailures.length;
      queue.push(...(batchItemFailures.map((f) => byMessage.get(f.itemIdentifier)) as typeof queue));
    }
  };
  await Promise.all([consumer(), consumer()]);

  const rotating = keys.filter((k) => h.sim.getKey(MEMBER, 'eu-west-1', k.keyId)?.rotationEnabled).length;
  expect(rotating).toBe(1000);
  const enables = h.sim.callCounts({ accountId: MEMBER, region: 'eu-west-1', operation: 'EnableKeyRotation' });
  expect(enables.reduce((n, c) => n + c.succeeded, 0)).toBe(1000);
  expect(redelivered).toBe(0);
  for (const key of keys.slice(0, 50)) {
    const history = [];
    for await (const f of h.embedded.store.keyHistory(key.arn)) history.push(f);
    expect(history).toEqual([expect.objectContaining({ source: 'event', status: 'REMEDIATED' })]);
  }
}, 300_000);
