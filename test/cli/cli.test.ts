// The rotor command line in-process: exit codes, messages that name the bad field, help, and a
// local scan end to end through the CLI against the simulated organization.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultsStore } from '../../functions/store/results-store';
import { STANDARD } from '../scenarios';
import { rotor, useCliSuite } from '../support/rotor-cli';

const suite = useCliSuite('rotor-cli-', { freshDirEach: true });

beforeEach(() => {
  suite.sim.resetCallCounts();
});

describe('bad input: exit 2, the field named, no AWS call', () => {
  it.each<[string[], RegExp]>([
    [['--mode', 'destroy'], /--mode/],
    [['--accounts', '12345'], /--accounts: must be a 12-digit AWS account id/],
    [['--accounts', ','], /--accounts: must name at least one account/],
    [['--run-id', 'has space'], /--run-id/],
    [['--exclude-accounts', '1234567890123'], /--exclude-accounts/],
    [['--regions', 'us-east-one'], /--regions: must be a Region name/],
    [['--rotation-period-days', '30'], /--rotation-period-days: must be between 90 and 2560/],
    [['--rotation-period-days', '3000'], /--rotation-period-days/],
    [['--rotation-period-days', 'soon'], /--rotation-period-days: "soon" is not a whole number/],
    [['--wave-size', '0x10'], /--wave-size: "0x10" is not a whole number/],
    [['--wave-size', '0b11'], /--wave-size: "0b11" is not a whole number/],
    [['--wave-size', '5.'], /--wave-size: "5\." is not a whole number/],
    [['--wave-size', '1e3'], /--wave-size: "1e3" is not a whole number/],
    [['--wave-size', ' 5'], /--wave-size: " 5" is not a whole number/],
    [['--max-failure-rate', '5e-2'], /--max-failure-rate: "5e-2" is not a decimal number/],
    [['--priority-tag', '__proto__=x'], /--priority-tag: cannot be "__proto__"/],
    [['--out', tmpdir()], /--out .*: cannot write there \(it is a folder/],
    [['--data-dir', __filename], /--data-dir .*: is a file, not a folder/],
    [['--wave-size', '0'], /--wave-size: must be at least 1/],
    [['--max-failure-rate', '1.5'], /--max-failure-rate: must be between 0 and 1/],
    [['--max-failure-rate', '-0.1'], /--max-failure-rate/],
    [['--ous', 'ou-bad'], /--ous/],
    [['--priority-tag', 'environment'], /--priority-tag/],
    [['--report', 'pdf'], /unknown report format "pdf"/],
    [['--bogus'], /unknown option '--bogus'/],
  ])('run --local %j', async (args, message) => {
    const result = await rotor('run', '--local', '--data-dir', suite.dir, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(suite.sim.totalCalls()).toBe(0);
  });

  it('an unwritable --out fails before anything runs', async () => {
    const result = await rotor('run', '--local', '--data-dir', suite.dir, '--out', '/nonexistent-folder/x/report.json');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--out .*cannot write there/);
    expect(suite.sim.totalCalls()).toBe(0);
  });

  it('an unknown command', async () => {
    expect((await rotor('launch')).code).toBe(2);
  });
});

describe('exceptions', () => {
  const arn = `arn:aws:kms:us-east-1:${STANDARD.managementAccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

  it.each<[string[], RegExp]>([
    [['--key-arn', arn, '--reason', 'r', '--expires', '2099-01-01'], /--owner: is required/],
    [['--key-arn', arn, '--owner', 'o', '--expires', '2099-01-01'], /--reason: is required/],
    [['--key-arn', arn, '--owner', 'o', '--reason', 'r'], /--expires: is required/],
    [['--key-arn', arn, '--owner', 'o', '--reason', 'r', '--expires', '2020-01-01'], /--expires: 2020-01-01 is in the past/],
    [['--key-arn', arn, '--owner', 'o', '--reason', 'r', '--expires', '2099-02-30'], /--expires: "2099-02-30" is not a date/],
    [['--key-arn', 'arn:aws:kms:us-east-1:1:key/x', '--owner', 'o', '--reason', 'r', '--expires', '2099-01-01'], /--key-arn: .* is not a KMS key ARN/],
    [['--account', '12', '--owner', 'o', '--reason', 'r', '--expires', '2099-01-01'], /--account: "12" is not a 12-digit account id/],
    [['--owner', 'o', '--reason', 'r', '--expires', '2099-01-01'], /--key-arn or --account: one is required/],
  ])('add %j is refused with exit 2 and nothing stored', async (args, message) => {
    const result = await rotor('exceptions', 'add', '--data-dir', suite.dir, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect((await rotor('exceptions', 'list', '--data-dir', suite.dir)).stdout).toBe('no exceptions\n');
  });

  it('add, list with days left, refuse a duplicate, remove', async () => {
    const added = await rotor('exceptions', 'add', '--data-dir', suite.dir, '--key-arn', arn, '--owner', 'alice', '--reason', 'vendor', '--expires', '2099-01-01');
    expect(added.code).toBe(0);
    const dup = await rotor('exceptions', 'add', '--data-dir', suite.dir, '--key-arn', arn, '--owner', 'bob', '--reason', 'x', '--expires', '2099-01-01');
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/exists already/);
    const listed = await rotor('exceptions', 'list', '--data-dir', suite.dir, '--output', 'json');
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ target: arn, owner: 'alice', expired: false, daysLeft: expect.any(Number) })]);
    expect(JSON.parse((await rotor('exceptions', 'list', '--data-dir', suite.dir, '--output', 'json', '--expiring-within', '30')).stdout)).toEqual([]);
    expect((await rotor('exceptions', 'remove', '--data-dir', suite.dir, arn)).code).toBe(0);
    expect((await rotor('exceptions', 'remove', '--data-dir', suite.dir, arn)).code).toBe(2);
  });
});

describe('reports without runs', () => {
  it('--latest with no runs yet, an unknown run id, an unknown format: exit 2 with the reason', async () => {
    const latest = await rotor('report', '--latest', '--data-dir', suite.dir);
    expect(latest).toMatchObject({ code: 2, stderr: expect.stringMatching(/no runs yet/) });
    const unknown = await rotor('report', '--run-id', 'nope', '--data-dir', suite.dir);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown run id "nope"/) });
    const format = await rotor('report', '--format', 'xml', '--data-dir', suite.dir);
    expect(format).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown report format "xml"/) });
    expect((await rotor('drift', '--data-dir', suite.dir)).code).toBe(2);
    expect((await rotor('status', 'nope', '--data-dir', suite.dir)).code).toBe(2);
  });
});

describe('help', () => {
  it.each([['run'], ['report'], ['runs'], ['status'], ['drift'], ['history'], ['exceptions'], ['exceptions', 'add'], ['check-template'], ['simulate'], ['demo']])(
    '%s --help',
    async (...command) => {
      const result = await rotor(...command, '--help');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Usage: rotor/);
    },
  );
});

describe('a local scan through the CLI', () => {
  it('writes a JSON report with every key of every reachable account exactly once', async () => {
    const out = join(suite.dir, 'f.json');
    const result = await rotor('run', '--local', '--mode', 'scan', '--report', 'json', '--out', out, '--data-dir', suite.dir);
    expect(result.stderr).toMatch(/6\/6 accounts scanned/);
    expect(result.stderr).toMatch(/account 100000000006 could not be scanned/);
    // Non-compliant keys and the account not covered are findings: exit 3 (test/cli/exit-codes.test.ts).
    expect(result.code).toBe(3);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report).toMatchObject({ mode: 'scan', status: 'SUCCEEDED' });
    const expected = suite.sim
      .accounts()
      .filter((a) => a.state === 'ACTIVE' && a.id !== STANDARD.memberWithoutRole)
      .flatMap((a) => suite.sim.listKeys(a.id).map((k) => k.arn))
      .sort();
    expect(report.findings.map((f: { keyArn: string }) => f.keyArn).sort()).toEqual(expected);
    expect(report.errors).toEqual([expect.objectContaining({ accountId: STANDARD.memberWithoutRole })]);

    const runs = await rotor('runs', '--data-dir', suite.dir);
    expect(runs.stdout).toContain(report.runId);
    const status = await rotor('status', report.runId, '--data-dir', suite.dir);
    expect(status.stdout).toMatch(/SUCCEEDED/);
    const key = report.findings[0].keyArn as string;
    const history = await rotor('history', key, '--output', 'json', '--data-dir', suite.dir);
    expect(JSON.parse(history.stdout)).toEqual([expect.objectContaining({ runId: report.runId, keyArn: key, status: report.findings[0].status })]);
    expect((await rotor('history', 'not-an-arn', '--data-dir', suite.dir)).code).toBe(2);
    const md = await rotor('report', '--latest', '--format', 'md', '--data-dir', suite.dir);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain(report.runId);
  });

  it('exits 1 when the execution dies before Finalize, and still reports what it found', async () => {
    const original = ResultsStore.prototype.updateRun;
    const spy = jest.spyOn(ResultsStore.prototype, 'updateRun').mockImplementation(function (this: ResultsStore, runId, patch) {
      if (patch.status) return Promise.reject(new Error('table unavailable'));
      return original.call(this, runId, patch);
    });
    try {
      const out = join(suite.dir, 'partial.json');
      const result = await rotor('run', '--local', '--mode', 'scan', '--report', 'json', '--out', out, '--data-dir', suite.dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/failed before it was finalized/);
      const report = JSON.parse(readFileSync(out, 'utf8'));
      expect(report.status).toBe('RUNNING');
      const counted = Object.values(report.summary as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(counted).toBe(report.findings.length);
      expect(counted).toBeGreaterThan(0);
    } finally {
      spy.mockRestore();
    }
  });
});
