// The deployed Finalize's evidence option against moto's S3: with an Object Lock bucket in its
// dependencies (what EVIDENCE_BUCKET gives the Lambda), each run leaves evidence/<runId>/ with its
// findings and the key events handled in its window as OCSF, and a manifest (listing those events)
// whose SHA-256 matches, both held by the bucket's governance retention.
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CONTROLS } from '../../functions/core/controls';
import { ExecutionInput } from '../../functions/core/schemas';
import { step as finalize } from '../../functions/handlers/finalize';
import { S3ObjectStore } from '../../functions/store/object-store';
import { useMotoSuite } from '../conformance/moto-org';
import { memberEventRecord, recordScannedRun, SCANNED_MEMBER, SCANNED_REGION as REGION } from '../support/scanned-run';

const BUCKET = 'kms-rotor-evidence-test';
const suite = useMotoSuite({ embeddedStore: true });

test('Finalize leaves the OCSF findings, then the key events of its window, and a manifest with their SHA-256, coverage, control ids and those events, under governance retention', async () => {
  const s3 = new S3Client({ region: REGION, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
  await s3.send(new PutObjectLockConfigurationCommand({ Bucket: BUCKET, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } } }));
  try {
    const { store } = suite.embedded;
    // Limited to one Region: the other Region enabled in the account is a stated gap, not a failure.
    const config = ExecutionInput.parse({ regions: [REGION] });
    const { findings, manifests } = await recordScannedRun(store, {
      runId: 'fin-evidence', config, keys: { 'k-on': 'COMPLIANT', 'k-off': 'NON_COMPLIANT' }, enabledRegions: [REGION, 'eu-west-1'],
    });
    // No earlier run: the window is the run's own start (10:00) to Finalize (10:05); the first event is before it.
    const outside = memberEventRecord('ev-before', 'DisableKeyRotation', 'k-on', 'recorded', '2026-12-02T09:59:59.000Z');
    const inWindow = [memberEventRecord('ev-create', 'CreateKey', 'k-new', 'enforced', '2026-12-02T10:02:00.000Z'), memberEventRecord('ev-disable', 'DisableKeyRotation', 'k-off', 'recorded', '2026-12-02T10:03:00.000Z')];
    for (const record of [outside, ...inWindow]) await store.putEventRecord(record);

    const evidence = new S3ObjectStore(BUCKET, { region: REGION, forcePathStyle: true });
    const out = await finalize({ store, manifests, now: () => new Date('2026-12-02T10:05:00Z'), evidence })({ runId: 'fin-evidence', config });
    evidence.destroy();
    expect(out.evidence).toEqual(['evidence/fin-evidence/report.ocsf.json', 'evidence/fin-evidence/manifest.json']);

    const read = async (Key: string) => (await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body!.transformToString());
    const ocsf = await read('evidence/fin-evidence/report.ocsf.json');
    const manifest = JSON.parse(await read('evidence/fin-evidence/manifest.json'));
    const ocsfEvents = JSON.parse(ocsf) as { class_uid: number; finding_info: { uid: string }; resources: { uid: string }[] }[];
    expect(ocsfEvents.map((e) => [e.class_uid, e.resources[0].uid])).toEqual([findings[1], findings[0], ...inWindow].map((f) => [2003, f.keyArn]));
    expect(ocsfEvents.slice(2).map((e) => e.finding_info.uid)).toEqual(inWindow.map((r) => `kms-rotor/KMS.4/${r.keyArn}/event/${r.eventId}`));
    expect(manifest).toMatchObject({
      run: { runId: 'fin-evidence', status: 'SUCCEEDED', finishedAt: '2026-12-02T10:05:00.000Z' },
      compliancePercent: 50,
      coverage: { accounts: { inScope: 1, scanned: 1, failed: 0 }, regions: [{ accountId: SCANNED_MEMBER, enabled: ['eu-west-1', REGION], scanned: [REGION] }], notScanned: [], askedRegions: [REGION] },
      controls: CONTROLS,
      files: [{ name: 'report.ocsf.json', format: 'ocsf', bytes: Buffer.byteLength(ocsf), sha256: createHash('sha256').update(ocsf).digest('hex') }],
      keyEvents: { from: '2026-12-02T10:00:00.000Z', to: '2026-12-02T10:05:00.000Z', counts: { enforced: 1, recorded: 1, failed: 0 } },
    });
    // Each with the fields the reports give: key, account, Region, what was done, the call, its id, who made it and when.
    expect(manifest.keyEvents.events).toEqual(
      inWindow.map((r) => ({
        eventId: r.eventId, eventName: r.eventName, eventTime: r.eventTime, handledAt: r.handledAt, principal: r.principal, accountId: SCANNED_MEMBER, region: REGION,
        keyId: r.keyId, keyArn: r.keyArn, outcome: r.outcome, status: r.finding!.status, ...(r.finding!.rotationPeriodInDays && { rotationPeriodInDays: r.finding!.rotationPeriodInDays }), sinceRun: true,
      })),
    );

    for (const Key of out.evidence!) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key }));
      expect({ mode: head.ObjectLockMode, until: head.ObjectLockRetainUntilDate!.getTime() > Date.now() }).toEqual({ mode: 'GOVERNANCE', until: true });
    }
    // A locked version cannot be deleted without the governance bypass.
    const [version] = (await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'evidence/fin-evidence/manifest.json' }))).Versions ?? [];
    await expect(s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'evidence/fin-evidence/manifest.json', VersionId: version.VersionId }))).rejects.toMatchObject({ name: 'AccessDenied' });
  } finally {
    s3.destroy();
  }
});

test('a run with no key event in its window leaves neither event findings nor a keyEvents section', async () => {
  const s3 = new S3Client({ region: REGION, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  try {
    const { store } = suite.embedded;
    // Another scope, so no earlier run: its window is its own start to Finalize, three days after the first test's events.
    const config = ExecutionInput.parse({ regions: [REGION, 'eu-west-1'] });
    const { manifests } = await recordScannedRun(store, { runId: 'fin-quiet', config, keys: { 'k-on': 'COMPLIANT' }, startedAt: new Date('2026-12-05T10:00:00Z') });
    const evidence = new S3ObjectStore(BUCKET, { region: REGION, forcePathStyle: true });
    await finalize({ store, manifests, now: () => new Date('2026-12-05T10:05:00Z'), evidence })({ runId: 'fin-quiet', config });
    evidence.destroy();
    const read = async (Key: string) => (await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body!.transformToString());
    expect(JSON.parse(await read('evidence/fin-quiet/report.ocsf.json')).map((e: { resources: { uid: string }[] }) => e.resources[0].uid)).toEqual([`arn:aws:kms:${REGION}:${SCANNED_MEMBER}:key/k-on`]);
    expect(JSON.parse(await read('evidence/fin-quiet/manifest.json'))).not.toHaveProperty('keyEvents');
  } finally {
    s3.destroy();
  }
});
