// The deployed Finalize's evidence option against moto's S3: with an Object Lock bucket in its
// dependencies (what EVIDENCE_BUCKET gives the Lambda), each run leaves evidence/<runId>/ with its
// findings as OCSF and a manifest whose SHA-256 matches, both held by the bucket's governance
// retention.
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
import { recordScannedRun, SCANNED_MEMBER, SCANNED_REGION as REGION } from '../support/scanned-run';

const BUCKET = 'kms-rotor-evidence-test';
const suite = useMotoSuite({ embeddedStore: true });

test('Finalize leaves the OCSF findings and a manifest with their SHA-256, coverage and control ids, under governance retention', async () => {
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

    const evidence = new S3ObjectStore(BUCKET, { region: REGION, forcePathStyle: true });
    const out = await finalize({ store, manifests, now: () => new Date('2026-12-02T10:05:00Z'), evidence })({ runId: 'fin-evidence', config });
    evidence.destroy();
    expect(out.evidence).toEqual(['evidence/fin-evidence/report.ocsf.json', 'evidence/fin-evidence/manifest.json']);

    const read = async (Key: string) => (await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body!.transformToString());
    const ocsf = await read('evidence/fin-evidence/report.ocsf.json');
    const manifest = JSON.parse(await read('evidence/fin-evidence/manifest.json'));
    expect(JSON.parse(ocsf).map((e: { class_uid: number; resources: { uid: string }[] }) => [e.class_uid, e.resources[0].uid])).toEqual([findings[1], findings[0]].map((f) => [2003, f.keyArn]));
    expect(manifest).toMatchObject({
      run: { runId: 'fin-evidence', status: 'SUCCEEDED', finishedAt: '2026-12-02T10:05:00.000Z' },
      compliancePercent: 50,
      coverage: { accounts: { inScope: 1, scanned: 1, failed: 0 }, regions: [{ accountId: SCANNED_MEMBER, enabled: ['eu-west-1', REGION], scanned: [REGION] }], notScanned: [], askedRegions: [REGION] },
      controls: CONTROLS,
      files: [{ name: 'report.ocsf.json', format: 'ocsf', bytes: Buffer.byteLength(ocsf), sha256: createHash('sha256').update(ocsf).digest('hex') }],
    });

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
