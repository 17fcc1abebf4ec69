// Conformance of a scan against moto, an AWS emulator we did not write: an Organization with keys
// of every kind in three accounts and three Regions; the real ASL and handlers (runLocal) and the
// CLI in a child process must report every key moto lists exactly once, with the status the spec
// gives its kind, touch nothing, and ask nothing they need not.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Finding, FindingStatus } from '../../functions/core/schemas';
import { runLocal } from '../../local/runner';
import {
  collect,
  createKeys,
  createOrganization,
  expectedScanFinding,
  kmsCalls,
  motoDescribe,
  motoKeys,
  runCli,
  scopeOf,
  useMotoSuite,
  type CreatedKey,
  type KeyRequest,
  type MotoOrganization,
} from './moto-org';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const suite = useMotoSuite({ embeddedStore: true, resetEach: false });

/** A Region with keys that the scan is not asked to cover. */
const OUTSIDE = 'us-west-2';
const SIMPLE_KINDS = ['rotating', 'not-rotating', 'asymmetric', 'hmac', 'disabled', 'pending-deletion', 'imported'] as const;
const READ_ONLY_KMS_ACTIONS = new Set(['ListKeys', 'ListAliases', 'DescribeKey', 'GetKeyRotationStatus']);

let org: MotoOrganization;
let keys: CreatedKey[];
let runCounter = 0;

beforeAll(async () => {
  org = await createOrganization(['dev', 'prod']);
  const requests: KeyRequest[] = [];
  for (const accountId of org.accounts) {
    for (const region of REGIONS) for (const kind of SIMPLE_KINDS) requests.push({ accountId, region, kind });
    requests.push({ accountId, region: 'us-east-1', kind: 'aws-managed' });
  }
  // Multi-Region keys with one side outside the scanned Regions, and one with both sides scanned:
  // moto 5.2 shares MultiRegionConfiguration between a primary and its replica, so once the
  // replica is described the primary reads "REPLICA" too. A key is a replica exactly when its ARN
  // is not its primary's, which holds on moto as on AWS.
  requests.push({ accountId: org.members.prod, region: 'us-east-1', kind: 'mrk', replicaRegion: OUTSIDE });
  requests.push({ accountId: org.members.dev, region: OUTSIDE, kind: 'mrk', replicaRegion: 'eu-west-1' });
  requests.push({ accountId: org.members.prod, region: 'eu-west-1', kind: 'mrk', replicaRegion: 'ap-southeast-2' });
  requests.push({ accountId: org.members.dev, region: OUTSIDE, kind: 'not-rotating' });
  keys = await createKeys(requests);
}, 60_000);

/** Every key moto lists in the accounts and Regions scanned, by account/Region/key. */
async function listedByMoto(regions: readonly string[]): Promise<Map<string, { accountId: string; region: string; keyId: string; keyArn: string }>> {
  const listed = new Map<string, { accountId: string; region: string; keyId: string; keyArn: string }>();
  for (const accountId of org.accounts) {
    for (const region of regions) {
      for (const k of await motoKeys(accountId, region)) listed.set(scopeOf({ accountId, region, keyId: k.keyId }), { accountId, region, ...k });
    }
  }
  return listed;
}

function countStatuses(findings: readonly { status: FindingStatus }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.status] = (counts[f.status] ?? 0) + 1;
  return counts;
}

/** Each listed key exactly once, with its kind's status, reason and rotation state. */
function expectFindingsMatch(findings: readonly Pick<Finding, 'accountId' | 'region' | 'keyId' | 'keyArn' | 'status' | 'reason' | 'rotationEnabledBefore'>[], listed: Map<string, { keyArn: string }>) {
  const scopes = findings.map(scopeOf);
  expect(new Set(scopes).size).toBe(scopes.length);
  expect([...scopes].sort()).toEqual([...listed.keys()].sort());
  const byScope = new Map(findings.map((f) => [scopeOf(f), f]));
  const inScope = keys.filter((k) => REGIONS.includes(k.region));
  // moto lists exactly the keys we created there: the comparison below covers every listed key.
  expect(inScope.map(scopeOf).sort()).toEqual([...listed.keys()].sort());
  for (const key of inScope) {
    const finding = byScope.get(scopeOf(key))!;
    const expected = expectedScanFinding(key);
    const actual = { kind: key.kind, keyArn: finding.keyArn, status: finding.status };
    expect(actual).toEqual({ kind: key.kind, keyArn: listed.get(scopeOf(key))!.keyArn, status: expected.status });
    if (expected.reason) expect({ kind: key.kind, reason: finding.reason }).toEqual({ kind: key.kind, reason: expect.stringMatching(expected.reason) });
    if (expected.rotationEnabledBefore !== undefined) {
      expect({ kind: key.kind, rotationEnabledBefore: finding.rotationEnabledBefore }).toEqual({ kind: key.kind, rotationEnabledBefore: expected.rotationEnabledBefore });
    }
  }
}

test('a replicated primary whose replica is scanned too: moto calls it REPLICA, the scan still calls it the primary', async () => {
  const primary = keys.find((k) => k.kind === 'mrk-primary' && k.region === 'eu-west-1')!;
  const replica = keys.find((k) => k.kind === 'mrk-replica' && k.region === 'ap-southeast-2')!;
  await motoDescribe(replica);
  const described = await motoDescribe(primary);
  // The emulator's quirk this case is about (if moto fixes it, the case still checks the ARN rule).
  expect([described.MultiRegionConfiguration?.MultiRegionKeyType, described.MultiRegionConfiguration?.PrimaryKey?.Arn]).toEqual([expect.any(String), primary.keyArn]);
  const runId = `moto-scan-${++runCounter}`;
  expect(await runLocal({ mode: 'scan', regions: REGIONS, runId }, { store: suite.embedded.store, retryDelayMs: 10 })).toMatchObject({ executionStatus: 'SUCCEEDED' });
  const findings = await collect(suite.embedded.store.findings(runId));
  expect(findings.find((f) => f.keyArn === primary.keyArn)).toMatchObject({ status: 'NON_COMPLIANT' });
  expect(findings.find((f) => f.keyArn === replica.keyArn)).toMatchObject({ status: 'NOT_APPLICABLE', reason: expect.stringContaining(primary.keyArn) });
});

test('runLocal scan: every key moto lists appears exactly once with its status, nothing is changed, no error records', async () => {
  const runId = `moto-scan-${++runCounter}`;
  await suite.moto.startRecording();
  const result = await runLocal({ mode: 'scan', regions: REGIONS, runId }, { store: suite.embedded.store, retryDelayMs: 10 });
  const requests = await suite.moto.stopRecording();
  expect(result).toMatchObject({ executionStatus: 'SUCCEEDED', runId });

  const run = await suite.embedded.store.getRun(runId);
  expect(run).toMatchObject({ status: 'SUCCEEDED', mode: 'scan', accountCount: org.accounts.length, errorCount: 0 });
  expect(await suite.embedded.store.errors(runId)).toEqual([]);

  const findings = await collect(suite.embedded.store.findings(runId));
  expectFindingsMatch(findings, await listedByMoto(REGIONS));
  expect(findings.filter((f) => f.region === OUTSIDE)).toEqual([]);
  expect(run!.summary).toEqual(countStatuses(findings));

  // A scan is a dry run: moto saw only reads, and no rotation status was asked of a key out of scope.
  const calls = kmsCalls(requests);
  expect(calls.length).toBeGreaterThan(0);
  expect([...new Set(calls.map((c) => c.action))].filter((a) => !READ_ONLY_KMS_ACTIONS.has(a))).toEqual([]);
  expect(calls.filter((c) => !REGIONS.includes(c.region))).toEqual([]);
  const kindOf = new Map(keys.map((k) => [`${k.region}/${k.keyId}`, k.kind]));
  const rotationAsked = calls.filter((c) => c.action === 'GetKeyRotationStatus').map((c) => kindOf.get(`${c.region}/${c.keyId}`));
  expect([...new Set(rotationAsked)].sort()).toEqual(['mrk-primary', 'not-rotating', 'rotating']);
  // The alias alias/aws/ebs says the key is AWS-managed: no DescribeKey is spent on it.
  const describedKinds = calls.filter((c) => c.action === 'DescribeKey').map((c) => kindOf.get(`${c.region}/${c.keyId}`));
  expect(describedKinds).not.toContain('aws-managed');
  // Two calls at most per in-scope key, one per other key, plus the listing.
  const listedKeys = findings.length;
  expect(calls.filter((c) => c.action === 'DescribeKey' || c.action === 'GetKeyRotationStatus').length).toBeLessThanOrEqual(2 * listedKeys);
});

test('rotor run --local --mode scan --report json (child process): the report agrees with moto key by key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-rotor-moto-cli-'));
  try {
    const out = join(dir, 'f.json');
    const cli = await runCli(
      ['run', '--local', '--mode', 'scan', '--regions', REGIONS.join(','), '--report', 'json', '--out', out, '--data-dir', join(dir, '.rotor'), '--exit-zero'],
      suite.moto.endpoint,
    );
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('SUCCEEDED') });
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      mode: string;
      status: string;
      summary: Record<string, number>;
      findings: (Finding & { wave?: number })[];
      errors: unknown[];
      waves?: { plan: { wave: number; keys: number; accounts: number }[] };
    };
    expect(report).toMatchObject({ mode: 'scan', status: 'SUCCEEDED', errors: [] });
    expectFindingsMatch(report.findings, await listedByMoto(REGIONS));
    const counts = countStatuses(report.findings);
    expect(Object.fromEntries(Object.entries(report.summary).filter(([, n]) => n > 0))).toEqual(counts);

    // The dry run shows the waves remediate would run: every non-compliant key in one (default size 50).
    const nonCompliant = report.findings.filter((f) => f.status === 'NON_COMPLIANT');
    // One not-rotating key per account and Region, and the two multi-Region primaries scanned.
    expect(nonCompliant.length).toBe(org.accounts.length * REGIONS.length + 2);
    expect(nonCompliant.every((f) => f.wave === 1)).toBe(true);
    expect(report.waves?.plan).toEqual([{ wave: 1, keys: nonCompliant.length, accounts: org.accounts.length }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Region asked for that moto says is not opted in: an error record per account, no KMS call there', async () => {
  const ec2 = new EC2Client({ region: 'us-east-1' });
  const regions = (await ec2.send(new DescribeRegionsCommand({ AllRegions: true }))).Regions ?? [];
  ec2.destroy();
  const optIn = regions.find((r) => r.OptInStatus === 'not-opted-in')?.RegionName;
  expect(optIn).toBeDefined();

  const runId = `moto-scan-${++runCounter}`;
  await suite.moto.startRecording();
  const result = await runLocal({ mode: 'scan', regions: ['us-east-1', optIn!], runId }, { store: suite.embedded.store, retryDelayMs: 10 });
  const requests = await suite.moto.stopRecording();
  expect(result.executionStatus).toBe('SUCCEEDED');

  const errors = await suite.embedded.store.errors(runId);
  expect(errors.map((e) => ({ accountId: e.accountId, region: e.region, phase: e.phase })).sort((a, b) => a.accountId.localeCompare(b.accountId))).toEqual(
    [...org.accounts].sort().map((accountId) => ({ accountId, region: optIn, phase: 'scan' })),
  );
  const findings = await collect(suite.embedded.store.findings(runId));
  expectFindingsMatchRegion(findings, await listedByMoto(['us-east-1']));
  expect(kmsCalls(requests).filter((c) => c.region === optIn)).toEqual([]);
});

function expectFindingsMatchRegion(findings: readonly Finding[], listed: Map<string, { keyArn: string }>) {
  expect(findings.map(scopeOf).sort()).toEqual([...listed.keys()].sort());
  for (const f of findings) expect(f.keyArn).toBe(listed.get(scopeOf(f))!.keyArn);
}

test('no Region asked for: moto lists cn- and us-gov- Regions too, and the scan keeps to the partition of its credentials', async () => {
  const regions = (await new EC2Client({ region: 'us-east-1' }).send(new DescribeRegionsCommand({}))).Regions ?? [];
  const listed = regions.filter((r) => r.OptInStatus !== 'not-opted-in').map((r) => r.RegionName!);
  expect(listed.some((r) => r.startsWith('cn-') || r.startsWith('us-gov-'))).toBe(true);
  const runId = `moto-scan-${++runCounter}`;
  await suite.moto.startRecording();
  expect(await runLocal({ mode: 'scan', runId }, { store: suite.embedded.store, retryDelayMs: 10 })).toMatchObject({ executionStatus: 'SUCCEEDED' });
  const calls = kmsCalls(await suite.moto.stopRecording());
  expect(calls.filter((c) => c.region.startsWith('cn-') || c.region.startsWith('us-gov-'))).toEqual([]);
  expect(new Set(calls.map((c) => c.region)).size).toBe(listed.filter((r) => !r.startsWith('cn-') && !r.startsWith('us-gov-')).length);
  expect(await suite.embedded.store.errors(runId)).toEqual([]);
}, 120_000);
