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
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { CONTROLS } from '../../functions/core/controls';
import { newRun } from '../../functions/core/runs';
import { ExecutionInput, type Finding } from '../../functions/core/schemas';
import { step as finalize } from '../../functions/handlers/finalize';
import { S3ObjectStore } from '../../functions/store/object-store';
import { startEmbeddedStore } from '../../local/embedded-store';
import { startMoto, type MotoServer } from '../support/moto';
import { useMotoEnvironment } from '../conformance/moto-org';

const REGION = 'us-east-1';
const BUCKET = 'kms-rotor-evidence-test';
let moto: MotoServer;
let restoreEnv: () => void;

beforeAll(async () => {
  moto = await startMoto();
  restoreEnv = useMotoEnvironment(moto.endpoint);
}, 60_000);

afterAll(async () => {
  restoreEnv?.();
  await moto?.stop();
});

test('Finalize leaves the OCSF findings and a manifest with their SHA-256, coverage and control ids, under governance retention', async () => {
  const s3 = new S3Client({ region: REGION, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
  await s3.send(new PutObjectLockConfigurationCommand({ Bucket: BUCKET, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } } }));
  const embedded = await startEmbeddedStore();
  try {
    const { store } = embedded;
    // Limited to one Region: the other Region enabled in the account is a stated gap, not a failure.
    const config = ExecutionInput.parse({ regions: [REGION] });
    await store.createRun(newRun('fin-evidence', config, new Date('2026-12-02T10:00:00Z')));
    const member = '111122223333';
    const key = (keyId: string, status: Finding['status']): Finding => ({
      runId: 'fin-evidence', accountId: member, region: REGION, keyId, keyArn: `arn:aws:kms:${REGION}:${member}:key/${keyId}`,
      status, rotationEnabledBefore: status === 'COMPLIANT', scannedAt: '2026-12-02T10:01:00.000Z',
    });
    const findings = [key('k-on', 'COMPLIANT'), key('k-off', 'NON_COMPLIANT')];
    await store.putAccountScan({ runId: 'fin-evidence', accountId: member, regions: [REGION], scannedRegions: [REGION], findings, errors: [] });
    await store.putAccountSummary({
      runId: 'fin-evidence', accountId: member, name: 'member', priority: false, regions: [REGION], enabledRegions: [REGION, 'eu-west-1'], scannedRegions: [REGION],
      scannedAt: '2026-12-02T10:01:00.000Z', counts: { COMPLIANT: 1, NON_COMPLIANT: 1 }, errorCount: 0,
    });
    const manifests = new MemoryManifestStore();
    await manifests.put('fin-evidence', 'accounts', [{ accountId: member, name: 'member', parentIds: [], tags: {}, priority: false }]);
    await store.updateRun('fin-evidence', { accountCount: 1 });

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
      coverage: { accounts: { inScope: 1, scanned: 1, failed: 0 }, regions: [{ accountId: member, enabled: ['eu-west-1', REGION], scanned: [REGION] }], notScanned: [], askedRegions: [REGION] },
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
    await embedded.close();
  }
});
