// The AWS CLI's conventions in the rotor commands, in-process against the simulated organization:
// `--output json` on every listing, `--profile`/`--region` handed to the SDK for the command only,
// `run --quiet`/`--no-progress`, `-v`/`-V`, `history` by key id or alias, strict key ARNs.
import { STANDARD } from '../scenarios';
import { rotor, useCliSuite } from '../support/rotor-cli';

const suite = useCliSuite('rotor-aws-conventions-');

interface ReportedKey {
  keyArn: string;
  keyId: string;
  region: string;
  accountId: string;
}

let runId: string;
let keys: ReportedKey[];

beforeAll(async () => {
  const scan = await rotor('run', '--local', '--mode', 'scan', '--output', 'json', '--quiet', '--exit-zero', '--data-dir', suite.dir);
  expect(scan).toMatchObject({ code: 0, stderr: '' });
  const report = JSON.parse(scan.stdout);
  runId = report.runId;
  keys = report.findings;
});

describe('--output json', () => {
  test('run: the JSON report on stdout, exactly as --report json gives it', async () => {
    const viaReport = await rotor('run', '--local', '--mode', 'scan', '--report', 'json', '--quiet', '--data-dir', suite.dir);
    expect(Object.keys(JSON.parse(viaReport.stdout))).toEqual(Object.keys(JSON.parse((await rotor('report', '--output', 'json', '--data-dir', suite.dir)).stdout)));
  });

  test('runs, status, drift, exceptions list and history print JSON', async () => {
    const runs = JSON.parse((await rotor('runs', '--output', 'json', '--data-dir', suite.dir)).stdout);
    expect(runs.map((r: { runId: string }) => r.runId)).toContain(runId);
    expect(JSON.parse((await rotor('status', runId, '--output', 'json', '--data-dir', suite.dir)).stdout)).toMatchObject({ runId, mode: 'scan', status: 'SUCCEEDED' });
    expect(JSON.parse((await rotor('drift', '--run-id', runId, '--output', 'json', '--data-dir', suite.dir)).stdout)).toMatchObject({ runId });
    expect(JSON.parse((await rotor('exceptions', 'list', '--output', 'json', '--data-dir', suite.dir)).stdout)).toEqual([]);
    const history = JSON.parse((await rotor('history', keys[0].keyArn, '--output', 'json', '--data-dir', suite.dir)).stdout);
    expect(history[0]).toMatchObject({ runId, keyArn: keys[0].keyArn });
  });

  test('a value other than table or json is bad usage naming --output', async () => {
    const result = await rotor('runs', '--output', 'yaml', '--data-dir', suite.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--output.*yaml.*table, json/);
  });

  test('--output and a report format that disagree are bad usage', async () => {
    const result = await rotor('report', '--output', 'json', '--format', 'csv', '--data-dir', suite.dir);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/--output json and --format csv disagree/);
    expect((await rotor('run', '--local', '--output', 'table', '--report', 'json', '--data-dir', suite.dir)).code).toBe(2);
  });
});

describe('run: what it says on stderr', () => {
  test('by default: a progress line per account in a log, then the plan and the outcome', async () => {
    const result = await rotor('run', '--local', '--mode', 'scan', '--exit-zero', '--data-dir', suite.dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/accounts scanned/);
    expect(result.stderr).toMatch(/^plan: /m);
  });

  test('--no-progress: no progress line; the plan and the outcome remain', async () => {
    const result = await rotor('run', '--local', '--mode', 'scan', '--no-progress', '--exit-zero', '--data-dir', suite.dir);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/accounts scanned/);
    expect(result.stderr).toMatch(/^plan: /m);
    expect(result.stderr).toMatch(/SUCCEEDED/);
  });

  test('--quiet: nothing on stderr when all goes well, and errors still', async () => {
    expect((await rotor('run', '--local', '--mode', 'scan', '--quiet', '--exit-zero', '--output', 'json', '--data-dir', suite.dir)).stderr).toBe('');
    const bad = await rotor('run', '--local', '--quiet', '--wave-size', '0', '--data-dir', suite.dir);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/--wave-size/) });
  });
});

describe('--profile and --region', () => {
  test('reach the SDK as AWS_PROFILE and AWS_REGION for the command only', async () => {
    const before = { profile: process.env.AWS_PROFILE, region: process.env.AWS_REGION };
    // No such profile: the SDK looks it up, as the AWS CLI would, and the run cannot find credentials.
    const result = await rotor('run', '--local', '--profile', 'no-such-profile', '--region', 'eu-west-1', '--data-dir', suite.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no-such-profile|credentials/i);
    expect({ profile: process.env.AWS_PROFILE, region: process.env.AWS_REGION }).toEqual(before);
  });

  test('a --region that is not a Region name is bad usage, before any AWS call', async () => {
    suite.sim.resetCallCounts();
    const result = await rotor('run', '--local', '--region', 'mars-1', '--data-dir', suite.dir);
    expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(/--region: "mars-1" is not a Region name/) });
    expect(suite.sim.totalCalls()).toBe(0);
  });
});

describe('history names a key by ARN, key id or alias', () => {
  const customAlias = (k: ReportedKey) => suite.sim.listKeys(k.accountId).find((s) => s.arn === k.keyArn)?.aliases.find((a) => !a.startsWith('alias/aws/'));
  const single = () => keys.find((k) => !k.keyId.startsWith('mrk-') && customAlias(k))!;
  const replicated = () => keys.find((k) => k.keyId.startsWith('mrk-'))!;
  const historyOf = async (...args: string[]) => {
    const result = await rotor('history', ...args, '--output', 'json', '--data-dir', suite.dir);
    return { ...result, arns: result.code === 0 ? [...new Set(JSON.parse(result.stdout).map((f: { keyArn: string }) => f.keyArn))] : [] };
  };

  test('a key id with --region and --account', async () => {
    const key = single();
    expect((await historyOf(key.keyId, '--region', key.region, '--account', key.accountId)).arns).toEqual([key.keyArn]);
  });

  test('a key id alone, or an alias, as a recorded run listed it', async () => {
    const key = single();
    expect((await historyOf(key.keyId)).arns).toEqual([key.keyArn]);
    const alias = customAlias(key)!;
    expect((await historyOf(alias, '--account', key.accountId)).arns).toEqual([key.keyArn]);
  });

  test('a multi-Region key id names a key in each Region: ambiguous without --region', async () => {
    const key = replicated();
    const ambiguous = await historyOf(key.keyId);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/names \d+ keys.*--region/);
    expect((await historyOf(key.keyId, '--region', key.region)).arns).toEqual([key.keyArn]);
  });

  test.each<[string[], RegExp]>([
    [['alias/nobody-has-this'], /no recorded run lists a key with alias alias\/nobody-has-this/],
    [['not a key'], /is not a key ARN .*, a key id or an alias/],
    [['arn:aws:kms:us-east-1:111111111111:key/x'], /has "x" where a key id belongs/],
    [['1234abcd-12ab-34cd-56ef-1234567890ab', '--region', 'nowhere'], /--region: "nowhere" is not a Region name/],
    [['1234abcd-12ab-34cd-56ef-1234567890ab', '--account', '12'], /--account: "12" is not a 12-digit account id/],
  ])('%j is bad usage that says why', async (args, message) => {
    const result = await historyOf(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('exceptions add takes only what looks like a KMS key ARN', () => {
  const flags = ['--owner', 'o', '--reason', 'r', '--expires', '2099-01-01'];
  test.each<[string, RegExp]>([
    [`arn:aws:kms:us-east-1:${STANDARD.managementAccountId}:key/x`, /--key-arn: .* has "x" where a key id belongs/],
    [`arn:aws:kms:east:${STANDARD.managementAccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, /--key-arn: .* has "east" where a Region/],
    [`arn:aws:kms:us-east-1:${STANDARD.managementAccountId}:alias/app`, /--key-arn: .* is not a KMS key ARN/],
  ])('%s: exit 2 naming --key-arn, nothing stored', async (arn, message) => {
    const result = await rotor('exceptions', 'add', '--key-arn', arn, ...flags, '--data-dir', suite.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(JSON.parse((await rotor('exceptions', 'list', '--output', 'json', '--data-dir', suite.dir)).stdout)).toEqual([]);
  });
});

test.each([['-v'], ['-V'], ['--version']])('%s prints the version alone on stdout', async (flag) => {
  const { version } = jest.requireActual<{ version: string }>('../../package.json');
  expect(await rotor(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
});
