// Event findings in drift and the run reports, end to end on the simulated organization: a scan,
// then `rotor enforce --local` of a CreateKey event the simulator logged (and of one whose account
// has no role), then `rotor drift` and `rotor report` in every format show each event with its
// eventId; a second scan closes the first run's window, and the second run's report shows the
// event as handled before it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CSV_COLUMNS, REPORT_FORMATS } from '../../report';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { useSimulatorEnv } from '../../local/simulator-env';
import { cloudTrailEvent } from '../support/cloudtrail-events';
import { rotor } from '../support/rotor-cli';
import { parseCsv } from '../report/csv-reader';
import { standardScenarioPath } from '../scenarios';

const MEMBER = '100000000002';
const NO_ROLE = '100000000006';
const REGION = 'us-east-1';

let sim: SimulatedOrganization;
let restoreEnv: () => void;
beforeAll(async () => {
  sim = await startSimulator({ scenario: standardScenarioPath });
  restoreEnv = useSimulatorEnv(sim);
});
afterAll(async () => {
  restoreEnv?.();
  await sim?.close();
});

const dataDir = join(mkdtempSync(join(tmpdir(), 'rotor-key-events-')), 'store');
const store = ['--data-dir', dataDir];

interface Entry {
  eventId: string;
  eventName: string;
  keyArn: string;
  accountId: string;
  region: string;
  outcome: string;
  status?: string;
  principal: string;
  sinceRun: boolean;
}

async function scan(runId: string): Promise<void> {
  const out = await rotor('run', '--local', '--mode', 'scan', '--run-id', runId, '--quiet', '--exit-zero', '--no-progress', ...store);
  expect(out.code).toBe(0);
}

async function report(format: string, runId: string): Promise<string> {
  const out = await rotor('report', '--run-id', runId, '--format', format, ...store);
  expect(out.code).toBe(0);
  return out.stdout;
}

test('a scan, two events enforced after it, then drift and every report format show them with their eventId', async () => {
  await scan('events-1');

  // Alice creates a key in a member account; the simulator logs its CloudTrail event.
  const sts = new STSClient({ region: REGION });
  const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/KmsRotorRemediateRole`, RoleSessionName: 'alice' }));
  sts.destroy();
  const c = assumed.Credentials!;
  const kms = new KMSClient({ region: REGION, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken } });
  const created = (await kms.send(new CreateKeyCommand({ Description: 'made by alice' }))).KeyMetadata!;
  kms.destroy();
  const createEvent = sim.cloudTrailEvents().find((e) => (e.detail as { responseElements?: { keyMetadata?: { arn?: string } } }).responseElements?.keyMetadata?.arn === created.Arn)!;
  const createId = (createEvent.detail as { eventID: string }).eventID;
  // And a key in the account without the member role: its event fails, on record.
  const orphan = sim.createKey(NO_ROLE, REGION, { kind: 'not-rotating' });
  const orphanEvent = cloudTrailEvent({ eventName: 'CreateKey', accountId: NO_ROLE, region: REGION, keyId: orphan.keyId });
  const orphanId = (orphanEvent.detail as { eventID: string }).eventID;
  const file = join(dataDir, '..', 'events.jsonl');
  writeFileSync(file, [createEvent, orphanEvent].map((e) => JSON.stringify(e)).join('\n'));
  expect((await rotor('enforce', '--local', '--events', file, '--enforcement', 'remediate', ...store)).code).toBe(0);

  // drift of the scan: no earlier run, and the two events since it.
  const drift = await rotor('drift', '--run-id', 'events-1', '--output', 'json', '--exit-zero', ...store);
  expect(drift.code).toBe(0);
  const keyEvents = JSON.parse(drift.stdout).keyEvents as { counts: Record<string, number>; events: Entry[] };
  expect(keyEvents.counts).toEqual({ enforced: 1, recorded: 0, failed: 1 });
  expect(keyEvents.events.map((e) => [e.eventId, e.eventName, e.keyArn, e.outcome, e.status ?? null, e.sinceRun])).toEqual([
    [createId, 'CreateKey', created.Arn, 'enforced', 'REMEDIATED', true],
    [orphanId, 'CreateKey', orphan.arn, 'failed', null, true],
  ]);
  expect(keyEvents.events[0].principal).toBe(`arn:aws:iam::${MEMBER}:role/KmsRotorRemediateRole`);
  const driftText = await rotor('drift', '--run-id', 'events-1', '--exit-zero', ...store);
  expect(driftText.stdout).toMatch(new RegExp(`changed by events .*: 2\\n`));
  expect(driftText.stdout.split('\n').find((l) => l.includes(createId))).toMatch(/CreateKey\s+enforced/);

  // The report of the scan, in every format.
  const seen: Record<string, boolean> = {};
  for (const format of REPORT_FORMATS) {
    const text = await report(format, 'events-1');
    seen[format] = text.includes(createId) && text.includes(orphanId);
  }
  expect(seen).toEqual(Object.fromEntries(REPORT_FORMATS.map((f) => [f, true])));
  const json = JSON.parse(await report('json', 'events-1'));
  expect(json.keyEvents.events.map((e: Entry) => e.eventId)).toEqual([createId, orphanId]);
  const rows = parseCsv(await report('csv', 'events-1'));
  const eventRows = rows.filter((r) => r[CSV_COLUMNS.indexOf('source')] === 'event');
  expect(eventRows.map((r) => [r[CSV_COLUMNS.indexOf('eventId')], r[CSV_COLUMNS.indexOf('eventOutcome')], r[CSV_COLUMNS.indexOf('keyArn')]])).toEqual([
    [createId, 'enforced', created.Arn],
    [orphanId, 'failed', orphan.arn],
  ]);
  const ocsf = JSON.parse(await report('ocsf', 'events-1')) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(__dirname, '..', 'report', 'ocsf', 'compliance_finding-1.8.0-cloud.schema.json'), 'utf8')));
  const ocsfEvents = ocsf.filter((e) => e.activity_id === 2);
  expect(ocsfEvents.map((e) => e.evidences[0].api.request.uid)).toEqual([createId, orphanId]);
  expect(ocsfEvents.filter((e) => !validate(e))).toEqual([]);
  expect(await report('html', 'events-1')).toContain(`data-event-id="${createId}"`);

  // A second scan ends the first run's window; its own report shows the events as handled before it.
  await scan('events-2');
  const first = JSON.parse(await report('json', 'events-1')).keyEvents;
  const second = JSON.parse(await report('json', 'events-2')).keyEvents;
  const runs = JSON.parse((await rotor('runs', '--output', 'json', ...store)).stdout) as { runId: string; startedAt: string }[];
  expect(first.to).toBe(runs.find((r) => r.runId === 'events-2')!.startedAt);
  expect(first.events.map((e: Entry) => [e.eventId, e.sinceRun])).toEqual([[createId, true], [orphanId, true]]);
  expect(second.from).toBe(runs.find((r) => r.runId === 'events-1')!.startedAt);
  expect(second.events.map((e: Entry) => [e.eventId, e.sinceRun])).toEqual([[createId, false], [orphanId, false]]);
});
