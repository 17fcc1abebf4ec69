// Conformance of a remediation rollout against moto: with one key exempted, exactly the in-scope,
// non-exempt keys are rotating afterwards (moto says so, key by key, with each account's own
// credentials), in ceil(nonCompliant / wave size) waves, one EnableKeyRotation per key, and the JSON
// report agrees with moto.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '../../report';
import type { Finding, FindingStatus } from '../../functions/core/schemas';
import { reportInputFor } from '../../report/input';
import { runLocal } from '../../local/runner';
import {
  MANAGEMENT_ACCOUNT,
  assumedRoleArns,
  collect,
  createKeys,
  createOrganization,
  kmsCalls,
  motoRotation,
  runCli,
  scopeOf,
  useMotoSuite,
  type CreatedKey,
  type KeyRequest,
} from './moto-org';

const REGIONS = ['us-east-1', 'eu-west-1'];
const OUTSIDE = 'us-west-2';
const WAVE_SIZE = 10;
const DAY_MS = 86_400_000;
const suite = useMotoSuite({ embeddedStore: true });

interface JsonReport {
  runId: string;
  mode: string;
  status: string;
  summary: Partial<Record<FindingStatus, number>>;
  findings: (Pick<Finding, 'accountId' | 'region' | 'keyId' | 'keyArn' | 'status' | 'rotationEnabledBefore' | 'rotationEnabledAfter' | 'rotationPeriodInDays' | 'wave' | 'exception'> & { reason?: string })[];
  errors: unknown[];
  waves?: { plan: { wave: number; keys: number; accounts: number }[]; results: { wave: number; remediated: number; failed: number; halted: boolean }[] };
}

async function jsonReportOf(runId: string): Promise<JsonReport> {
  const run = await suite.embedded.store.getRun(runId);
  if (!run) throw new Error(`run ${runId} is not in the store`);
  return JSON.parse(await renderReport('json', await reportInputFor(suite.embedded.store, run, new Date()))) as JsonReport;
}

/** What moto says about each key's rotation now, asked key by key with the key's account credentials. */
async function rotationByScope(keys: readonly CreatedKey[]): Promise<Map<string, { enabled: boolean; periodInDays?: number }>> {
  const out = new Map<string, { enabled: boolean; periodInDays?: number }>();
  for (const key of keys) out.set(scopeOf(key), await motoRotation(key));
  return out;
}

const sortedScopes = (items: readonly { accountId: string; region: string; keyId: string }[]) => items.map(scopeOf).sort();

test(`remediate with waves of ${WAVE_SIZE}: exactly the in-scope, non-exempt keys rotate, in ceil(n/${WAVE_SIZE}) waves, and the report agrees with moto`, async () => {
  const org = await createOrganization(['dev', 'prod']);
  const { dev, prod } = org.members;
  const requests: KeyRequest[] = [
    { accountId: MANAGEMENT_ACCOUNT, region: 'us-east-1', kind: 'not-rotating', count: 4 },
    { accountId: MANAGEMENT_ACCOUNT, region: 'eu-west-1', kind: 'not-rotating', count: 4 },
    { accountId: dev, region: 'us-east-1', kind: 'not-rotating', count: 5 },
    { accountId: dev, region: 'eu-west-1', kind: 'not-rotating', count: 3 },
    { accountId: prod, region: 'us-east-1', kind: 'not-rotating', count: 3 },
    { accountId: prod, region: 'eu-west-1', kind: 'not-rotating', count: 4 },
    // The multi-Region primary is in scope (its replica lies outside the Regions remediated).
    { accountId: prod, region: 'us-east-1', kind: 'mrk', replicaRegion: OUTSIDE },
    ...org.accounts.flatMap((accountId) => REGIONS.map((region) => ({ accountId, region, kind: 'rotating' as const }))),
    ...(['asymmetric', 'hmac', 'disabled', 'pending-deletion', 'imported'] as const).map((kind) => ({ accountId: dev, region: 'eu-west-1', kind })),
    { accountId: prod, region: 'us-east-1', kind: 'aws-managed' },
  ];
  const keys = await createKeys(requests);
  const exempt = keys.find((k) => k.accountId === dev && k.kind === 'not-rotating')!;
  const expiresAt = new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10);
  const exception = { owner: 'alice@example.com', reason: 'legacy batch job re-encrypts on its own schedule', expiresAt };
  expect(await suite.embedded.store.addException({ target: exempt.keyArn, ...exception, createdAt: new Date().toISOString() })).toBe('created');

  const toRemediate = keys.filter((k) => (k.kind === 'not-rotating' || k.kind === 'mrk-primary') && k !== exempt && REGIONS.includes(k.region));
  expect(toRemediate.length).toBe(23);
  const expectedWaves = Math.ceil(toRemediate.length / WAVE_SIZE);
  const mustRotate = new Set([...toRemediate, ...keys.filter((k) => k.kind === 'rotating')].map(scopeOf));

  const runId = 'moto-remediate-waves';
  await suite.moto.startRecording();
  const result = await runLocal({ mode: 'remediate', regions: REGIONS, waves: { size: WAVE_SIZE }, runId }, { store: suite.embedded.store, retryDelayMs: 10 });
  const requestsSent = await suite.moto.stopRecording();
  expect(result).toMatchObject({ executionStatus: 'SUCCEEDED', runId });
  expect(await suite.embedded.store.errors(runId)).toEqual([]);

  // Moto, key by key: rotating exactly when in scope and not exempt. (Keys outside the Regions are
  // left out: moto copies a replica once and never syncs its rotation from the primary, as AWS does.)
  const inRegions = keys.filter((k) => REGIONS.includes(k.region));
  const rotation = await rotationByScope(inRegions);
  const rotatingNow = inRegions.filter((k) => rotation.get(scopeOf(k))!.enabled);
  expect(sortedScopes(rotatingNow)).toEqual([...mustRotate].sort());
  expect(rotation.get(scopeOf(exempt))!.enabled).toBe(false);

  // The run: ceil(23 / 10) = 3 waves of 10, 10 and 3 keys, none failed.
  const run = (await suite.embedded.store.getRun(runId))!;
  expect(run).toMatchObject({ status: 'SUCCEEDED', mode: 'remediate', waveCount: expectedWaves });
  expect(run.waves.map((w) => ({ wave: w.wave, remediated: w.remediated, failed: w.failed, halted: w.halted }))).toEqual([
    { wave: 1, remediated: 10, failed: 0, halted: false },
    { wave: 2, remediated: 10, failed: 0, halted: false },
    { wave: 3, remediated: 3, failed: 0, halted: false },
  ]);

  // The store: every key once; the remediated ones REMEDIATED in a wave, the exempt one EXEMPT.
  const findings = await collect(suite.embedded.store.findings(runId));
  expect(sortedScopes(findings)).toEqual(sortedScopes(inRegions));
  const byScope = new Map(findings.map((f) => [scopeOf(f), f]));
  for (const key of toRemediate) {
    expect(byScope.get(scopeOf(key))).toMatchObject({ status: 'REMEDIATED', rotationEnabledBefore: false, rotationEnabledAfter: true, wave: expect.any(Number) });
  }
  const perWave = [1, 2, 3].map((wave) => findings.filter((f) => f.wave === wave).length);
  expect(perWave).toEqual([10, 10, 3]);
  expect(byScope.get(scopeOf(exempt))).toMatchObject({ status: 'EXEMPT', rotationEnabledBefore: false, exception });

  // What moto received: one EnableKeyRotation per remediated key and no other, no period asked
  // (KMS's default applies); members reached through the scan role, then the remediate role.
  const enables = kmsCalls(requestsSent).filter((c) => c.action === 'EnableKeyRotation');
  expect(enables.map((c) => `${c.region}/${c.keyId}`).sort()).toEqual(toRemediate.map((k) => `${k.region}/${k.keyId}`).sort());
  expect(enables.filter((c) => 'RotationPeriodInDays' in c.body)).toEqual([]);
  const roles = new Set(assumedRoleArns(requestsSent));
  expect([...roles].sort()).toEqual(
    [dev, prod].flatMap((id) => [`arn:aws:iam::${id}:role/KmsRotorRemediateRole`, `arn:aws:iam::${id}:role/KmsRotorScanRole`]).sort(),
  );
  // The management account is acted on with the caller's own credentials, never through a role.
  expect([...roles].some((arn) => arn.includes(`::${MANAGEMENT_ACCOUNT}:`))).toBe(false);

  // The JSON report agrees with moto key by key.
  const report = await jsonReportOf(runId);
  expect(report).toMatchObject({ runId, mode: 'remediate', status: 'SUCCEEDED', errors: [] });
  expect(sortedScopes(report.findings)).toEqual(sortedScopes(inRegions));
  for (const f of report.findings) {
    const moto = rotation.get(scopeOf(f))!;
    expect({ key: scopeOf(f), rotatingPerReport: f.status === 'COMPLIANT' || f.status === 'REMEDIATED' }).toEqual({ key: scopeOf(f), rotatingPerReport: moto.enabled });
    if (f.status === 'REMEDIATED') expect(f.rotationEnabledAfter).toBe(moto.enabled);
  }
  expect(report.summary).toMatchObject({ REMEDIATED: 23, EXEMPT: 1, COMPLIANT: org.accounts.length * REGIONS.length, NOT_APPLICABLE: 6 });
  expect(report.waves?.plan.map((w) => w.keys)).toEqual([10, 10, 3]);
  expect(report.waves?.results.map((w) => w.remediated)).toEqual([10, 10, 3]);

  // Running again changes nothing: no wave, no EnableKeyRotation, the remediated keys now COMPLIANT.
  const againId = 'moto-remediate-again';
  await suite.moto.startRecording();
  const again = await runLocal({ mode: 'remediate', regions: REGIONS, waves: { size: WAVE_SIZE }, runId: againId }, { store: suite.embedded.store, retryDelayMs: 10 });
  const againRequests = await suite.moto.stopRecording();
  expect(again.executionStatus).toBe('SUCCEEDED');
  expect(kmsCalls(againRequests).filter((c) => c.action === 'EnableKeyRotation')).toEqual([]);
  expect(await suite.embedded.store.getRun(againId)).toMatchObject({ status: 'SUCCEEDED', waveCount: 0 });
  const againFindings = new Map((await collect(suite.embedded.store.findings(againId))).map((f) => [scopeOf(f), f.status]));
  for (const key of toRemediate) expect(againFindings.get(scopeOf(key))).toBe('COMPLIANT');
  expect(againFindings.get(scopeOf(exempt))).toBe('EXEMPT');
});

test('remediate with rotationPeriodInDays 180: every EnableKeyRotation asks for 180 days, and the findings agree with moto', async () => {
  const org = await createOrganization(['solo']);
  const member = org.members.solo;
  const keys = await createKeys([
    { accountId: MANAGEMENT_ACCOUNT, region: 'us-east-1', kind: 'not-rotating', count: 2 },
    { accountId: member, region: 'eu-west-1', kind: 'not-rotating', count: 2 },
    { accountId: member, region: 'us-east-1', kind: 'rotating' },
  ]);
  const toRemediate = keys.filter((k) => k.kind === 'not-rotating');

  const runId = 'moto-remediate-180';
  await suite.moto.startRecording();
  const result = await runLocal(
    { mode: 'remediate', regions: REGIONS, waves: { size: WAVE_SIZE }, rotationPeriodInDays: 180, runId },
    { store: suite.embedded.store, retryDelayMs: 10 },
  );
  const requestsSent = await suite.moto.stopRecording();
  expect(result.executionStatus).toBe('SUCCEEDED');
  expect(await suite.embedded.store.errors(runId)).toEqual([]);

  const enables = kmsCalls(requestsSent).filter((c) => c.action === 'EnableKeyRotation');
  expect(enables.map((c) => ({ key: `${c.region}/${c.keyId}`, days: c.body.RotationPeriodInDays })).sort((a, b) => a.key.localeCompare(b.key))).toEqual(
    toRemediate.map((k) => ({ key: `${k.region}/${k.keyId}`, days: 180 })).sort((a, b) => a.key.localeCompare(b.key)),
  );

  const rotation = await rotationByScope(keys);
  const report = await jsonReportOf(runId);
  expect(report.waves?.plan).toEqual([{ wave: 1, keys: toRemediate.length, accounts: 2 }]);
  for (const key of toRemediate) {
    const moto = rotation.get(scopeOf(key))!;
    expect(moto.enabled).toBe(true);
    // moto 5.2 neither stores nor returns RotationPeriodInDays; where it does, it must be 180.
    if (moto.periodInDays !== undefined) expect(moto.periodInDays).toBe(180);
    const finding = report.findings.find((f) => scopeOf(f) === scopeOf(key))!;
    expect(finding).toMatchObject({ status: 'REMEDIATED', rotationEnabledAfter: true });
    expect(finding.rotationPeriodInDays).toBe(moto.periodInDays);
  }
  expect(report.findings.find((f) => f.keyId === keys.find((k) => k.kind === 'rotating')!.keyId)).toMatchObject({ status: 'COMPLIANT' });
});

test('the command line, as an operator types it: exceptions add, then run --local --mode remediate --wave-size 10 --report json', async () => {
  const org = await createOrganization(['team']);
  const member = org.members.team;
  const keys = await createKeys([
    { accountId: MANAGEMENT_ACCOUNT, region: 'us-east-1', kind: 'not-rotating', count: 6 },
    { accountId: member, region: 'eu-west-1', kind: 'not-rotating', count: 7 },
    { accountId: member, region: 'us-east-1', kind: 'hmac' },
  ]);
  const exempt = keys.find((k) => k.accountId === member && k.kind === 'not-rotating')!;
  const dir = mkdtempSync(join(tmpdir(), 'kms-rotor-moto-cli-'));
  try {
    const expires = new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10);
    const added = await runCli(['exceptions', 'add', '--key-arn', exempt.keyArn, '--owner', 'bob@example.com', '--reason', 'vendor', '--expires', expires, '--data-dir', dir], suite.moto.endpoint);
    expect(added.code).toBe(0);
    const out = join(dir, 'report.json');
    const run = await runCli(['run', '--local', '--mode', 'remediate', '--wave-size', '10', '--regions', REGIONS.join(','), '--report', 'json', '--out', out, '--data-dir', dir, '--exit-zero'], suite.moto.endpoint);
    expect(run.stderr).toMatch(/wave 2: \d+ remediated/);
    expect(run.code).toBe(0);

    const report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
    // 13 non-rotating keys, one exempt: 12 keys in waves of 10 → 2 waves.
    expect(report.waves?.plan.map((w) => w.keys)).toEqual([10, 2]);
    const rotation = await rotationByScope(keys);
    expect(sortedScopes(report.findings)).toEqual(sortedScopes(keys));
    for (const f of report.findings) {
      const expected = f.keyId === exempt.keyId ? 'EXEMPT' : keys.find((k) => k.keyId === f.keyId)!.kind === 'hmac' ? 'NOT_APPLICABLE' : 'REMEDIATED';
      expect({ key: scopeOf(f), status: f.status, rotating: rotation.get(scopeOf(f))!.enabled }).toEqual({ key: scopeOf(f), status: expected, rotating: expected === 'REMEDIATED' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
