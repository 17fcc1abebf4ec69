// The key events section (functions/core/run-key-events.ts) and how every report format shows it: the
// window between runs, counts per outcome, and each event's key, account, Region, what was done,
// its CloudTrail event id, who made the call and when.
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CSV_COLUMNS, renderReport } from '../../report';
import { eventAction, eventWindow, keyEventsOf } from '../../functions/core/run-key-events';
import { parseCsv } from './csv-reader';
import { ALICE, BROKEN, DETECTED_EVENT, DEV, ENFORCED_EVENT, FAILED_EVENT, KEY_EVENTS, NOW, PROD, RUN, fixtureInput } from './fixture';

const input = () => fixtureInput({ keyEvents: KEY_EVENTS });

describe('the key events of a run', () => {
  it('covers the previous run to the next one, or to now', () => {
    const previous = { startedAt: '2025-05-15T11:00:00.000Z' };
    const next = { startedAt: '2025-06-02T11:00:00.000Z' };
    expect(eventWindow(RUN, previous, next, NOW)).toEqual({ from: previous.startedAt, to: next.startedAt });
    expect(eventWindow(RUN, undefined, undefined, NOW)).toEqual({ from: RUN.startedAt, to: NOW.toISOString() });
  });

  it('keeps the records inside the window, oldest first, counted per outcome and marked when handled since the run started', () => {
    expect(KEY_EVENTS.counts).toEqual({ enforced: 1, recorded: 1, failed: 1 });
    expect(KEY_EVENTS.events.map((e) => [e.eventId, e.outcome, e.status ?? null, e.sinceRun])).toEqual([
      [ENFORCED_EVENT, 'enforced', 'REMEDIATED', false],
      [DETECTED_EVENT, 'recorded', 'NON_COMPLIANT', true],
      [FAILED_EVENT, 'failed', null, true],
    ]);
    expect(KEY_EVENTS.events.map(eventAction)).toEqual(['enforced', 'recorded NON_COMPLIANT', 'failed']);
    const narrow = keyEventsOf(KEY_EVENTS.events.map((e) => ({ ...e, finding: undefined })), { from: RUN.startedAt, to: '2025-06-01T11:35:00.000Z' }, RUN);
    expect(narrow.events.map((e) => e.eventId)).toEqual([DETECTED_EVENT]);
    expect(narrow.counts).toEqual({ enforced: 0, recorded: 1, failed: 0 });
  });
});

describe('every format lists them', () => {
  it('json: keyEvents, each with key, account, Region, outcome, status, event id, principal and times', async () => {
    const report = JSON.parse(await renderReport('json', input()));
    expect(report.keyEvents).toEqual(JSON.parse(JSON.stringify(KEY_EVENTS)));
    expect(report.keyEvents.events[0]).toEqual({
      eventId: ENFORCED_EVENT, eventName: 'CreateKey', eventTime: '2025-06-01T10:30:00Z', handledAt: '2025-06-01T10:30:01.000Z', principal: ALICE,
      accountId: PROD, region: 'us-east-1', keyId: expect.any(String), keyArn: expect.stringContaining(PROD), outcome: 'enforced', status: 'REMEDIATED',
      rotationPeriodInDays: 180, sinceRun: false,
    });
    expect(JSON.parse(await renderReport('json', fixtureInput())).keyEvents).toBeUndefined();
  });

  it('csv: a row per event after the keys and the gaps, source event', async () => {
    const rows = parseCsv(await renderReport('csv', input()));
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    const records = rows.slice(1).map((r) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]])));
    const events = records.filter((r) => r.source === 'event');
    expect(events.map((r) => [r.accountId, r.eventId, r.eventName, r.eventOutcome, r.status, r.principal])).toEqual([
      [PROD, ENFORCED_EVENT, 'CreateKey', 'enforced', 'REMEDIATED', ALICE],
      [DEV, DETECTED_EVENT, 'DisableKeyRotation', 'recorded', 'NON_COMPLIANT', ALICE],
      [BROKEN, FAILED_EVENT, 'EnableKey', 'failed', '', ALICE],
    ]);
    expect(records.filter((r) => r.source === 'scan').length).toBe(records.length - 3);
  });

  it('table, markdown and html: the counts line and each event id with what was done and by whom', async () => {
    const summary = `3 event(s) handled from ${KEY_EVENTS.from} to ${KEY_EVENTS.to}: 1 enforced, 1 recorded, 1 failed`;
    const table = await renderReport('table', input());
    expect(table).toContain('KEY EVENTS');
    expect(table).toContain(summary);
    expect(table.split('\n').find((l) => l.includes(DETECTED_EVENT))).toMatch(/2025-06-01T11:30:01\.000Z \*.*DisableKeyRotation\s+recorded NON_COMPLIANT\s+arn:aws:iam::111111111111:role\/alice/);
    const md = await renderReport('md', input());
    expect(md).toContain('## Key events (continuous enforcement)');
    expect(md.split('\n').find((l) => l.includes(FAILED_EVENT))).toContain('| failed |');
    const html = await renderReport('html', input());
    expect(html).toContain('<a href="#key-events">Key events</a>');
    expect(html).toContain('data-count="3"');
    for (const id of [ENFORCED_EVENT, DETECTED_EVENT, FAILED_EVENT]) {
      expect(table).toContain(id);
      expect(md).toContain(id);
      expect(html).toContain(`data-event-id="${id}"`);
    }
    expect(await renderReport('table', fixtureInput())).not.toContain('KEY EVENTS');
  });

  it('ocsf: a Compliance Finding per event (activity Update), the call and its principal as evidence, valid against the schema', async () => {
    const schema = JSON.parse(readFileSync(join(__dirname, 'ocsf', 'compliance_finding-1.8.0-cloud.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const items = JSON.parse(await renderReport('ocsf', input())) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const events = items.filter((e) => e.activity_id === 2);
    expect(events.map((e) => [e.finding_info.uid, e.compliance.status, e.status_code, e.evidences[0].api.request.uid, e.evidences[0].actor.user.uid])).toEqual([
      [`kms-rotor/KMS.4/${KEY_EVENTS.events[0].keyArn}/event/${ENFORCED_EVENT}`, 'Pass', 'REMEDIATED', ENFORCED_EVENT, ALICE],
      [`kms-rotor/KMS.4/${KEY_EVENTS.events[1].keyArn}/event/${DETECTED_EVENT}`, 'Fail', 'NON_COMPLIANT', DETECTED_EVENT, ALICE],
      [`kms-rotor/KMS.4/${KEY_EVENTS.events[2].keyArn}/event/${FAILED_EVENT}`, 'Warning', 'EVENT_FAILED', FAILED_EVENT, ALICE],
    ]);
    expect(events[0]).toMatchObject({ type_uid: 200302, cloud: { account: { uid: PROD }, region: 'us-east-1' }, evidences: [{ api: { operation: 'CreateKey', service: { name: 'kms.amazonaws.com' } } }] });
    const invalid = items.flatMap((e, i) => (validate(e) ? [] : [{ i, errors: validate.errors }]));
    expect(invalid).toEqual([]);
  });
});
