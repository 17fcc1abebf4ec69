// `--format ocsf`: a JSON array of OCSF 1.8.0 Compliance Finding events, validated against the
// JSON Schema compiled from the OCSF schema's own source (test/support/ocsf/compile-schema.ts;
// test/report/ocsf/ holds its output for the cloud profile).
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROLS } from '../../functions/core/controls';
import { renderReport } from '../../report';
import { hostileReportInput } from '../support/hostile-corpus';
import { BROKEN, COVERAGE, FINDINGS, PROD, RUN, fixtureInput } from './fixture';

const schema = JSON.parse(readFileSync(join(__dirname, 'ocsf', 'compliance_finding-1.8.0-cloud.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

function expectValid(events: unknown[]): void {
  const invalid = events.flatMap((event, i) => (validate(event) ? [] : [{ i, errors: validate.errors }]));
  expect(invalid).toEqual([]);
}

describe('OCSF report', () => {
  it('is one Compliance Finding per key and per scope not scanned, each valid against the OCSF schema', async () => {
    const events = JSON.parse(await renderReport('ocsf', fixtureInput())) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(events).toHaveLength(FINDINGS.length + COVERAGE.notScanned.length);
    expectValid(events);
    for (const e of events) expect(e).toMatchObject({ class_uid: 2003, category_uid: 2, type_uid: 200301, metadata: { version: '1.8.0', profiles: ['cloud'], correlation_uid: RUN.runId } });

    const byKey = new Map(events.map((e) => [e.resources[0].uid, e]));
    const failed = byKey.get(FINDINGS[2].keyArn)!;
    expect(failed).toMatchObject({
      status_code: 'REMEDIATION_FAILED',
      severity_id: 3,
      cloud: { provider: 'AWS', account: { uid: PROD, type_id: 10, name: 'prod-core' }, region: 'us-east-1' },
      compliance: { control: 'KMS.4', status_id: 3, status: 'Fail', requirements: CONTROLS.map((c) => `${c.framework} ${c.id}`) },
      resources: [{ uid: FINDINGS[2].keyArn, type: 'AWS::KMS::Key', region: 'us-east-1' }],
    });
    expect(byKey.get(FINDINGS[1].keyArn)).toMatchObject({ status: 'Resolved', compliance: { status: 'Pass' } });
    expect(byKey.get(FINDINGS[0].keyArn)).toMatchObject({ compliance: { status: 'Pass' }, resources: [{ name: 'alias/app', labels: ['alias/app'] }] });
    expect(byKey.get(FINDINGS[5].keyArn)).toMatchObject({ status: 'Suppressed', compliance: { status: 'Fail' } });
    // The finding uid is the key's under the check: the same key has the same uid in every run.
    expect(failed.finding_info.uid).toBe(`kms-rotor/KMS.4/${FINDINGS[2].keyArn}`);

    const gaps = events.filter((e) => e.status_code === 'NOT_SCANNED');
    expect(gaps.map((e) => [e.cloud.account.uid, e.cloud.region ?? null, e.compliance.status])).toEqual([
      [PROD, 'ap-south-1', 'Warning'],
      [BROKEN, null, 'Warning'],
    ]);
  });

  it('stays valid with hostile text in every field, and with no finding at all', async () => {
    expectValid(JSON.parse(await renderReport('ocsf', hostileReportInput())));
    expect(JSON.parse(await renderReport('ocsf', fixtureInput({ findings: () => [], coverage: { ...COVERAGE, notScanned: [] } })))).toEqual([]);
  });

  it('the schema rejects what OCSF does not allow, so passing it means something', () => {
    expect(validate({ class_uid: 2003 })).toBe(false);
    const wrong = { ...fixtureEvent(), compliance: { status_id: 7 } };
    expect(validate(wrong)).toBe(false);
    expect(validate({ ...fixtureEvent(), keyArn: 'not an OCSF attribute' })).toBe(false);
    expect(validate(fixtureEvent())).toBe(true);
  });
});

let cached: Record<string, unknown> | undefined;
function fixtureEvent(): Record<string, unknown> {
  return cached!;
}
beforeAll(async () => {
  cached = JSON.parse(await renderReport('ocsf', fixtureInput()))[0];
});
