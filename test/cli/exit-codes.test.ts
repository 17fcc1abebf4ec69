// The exit codes a CI job relies on, through the CLI against the simulated organization: 0 clean,
// 1 a halted run, 2 bad input (no AWS call), 3 findings (non-compliant keys, an account not
// covered, drift), --exit-zero turning 3 into 0 and --fail-on choosing what counts.
import { STANDARD } from '../scenarios';
import { rotor, useCliSuite } from '../support/rotor-cli';

const suite = useCliSuite('rotor-exit-', { freshDirEach: true });

beforeEach(() => {
  suite.sim.clearFaults();
  suite.sim.resetCallCounts();
});

/** A member account with the role, in the standard scenario. */
const MEMBER = '100000000003';
const run = (...args: string[]) => rotor('run', '--local', '--data-dir', suite.dir, '--quiet', '--report', 'json', ...args);

describe('rotor run exit codes', () => {
  it('3 for a scan with non-compliant keys and an account not covered; --exit-zero 0; --fail-on chooses', async () => {
    const scan = await run('--mode', 'scan');
    expect(scan.code).toBe(3);
    expect(scan.stderr).toMatch(/findings: \d+ NON_COMPLIANT keys?; 1 account not covered \(exit 3/);
    expect(JSON.parse(scan.stdout).coverage.notScanned).toEqual([expect.objectContaining({ accountId: STANDARD.memberWithoutRole })]);

    const zero = await run('--mode', 'scan', '--exit-zero');
    expect(zero.code).toBe(0);
    expect(JSON.parse(zero.stdout).status).toBe('SUCCEEDED');

    // Only the uncovered account counts: still 3. Only EXEMPT in an account without an exception: 0.
    const coverageOnly = await run('--mode', 'scan', '--fail-on', 'NOT_COVERED');
    expect(coverageOnly.code).toBe(3);
    expect(coverageOnly.stderr).not.toMatch(/NON_COMPLIANT keys/);
    expect((await run('--mode', 'scan', '--accounts', MEMBER, '--fail-on', 'exempt')).code).toBe(0);
  });

  it('an excluded account is listed with why beside the figure, and is not a gate', async () => {
    const excluded = await run('--mode', 'scan', '--exclude-accounts', STANDARD.memberWithoutRole, '--fail-on', 'NOT_COVERED');
    expect(excluded.code).toBe(0);
    const report = JSON.parse(excluded.stdout);
    expect(report.coverage.accounts).toMatchObject({ failed: 0, excluded: [{ accountId: STANDARD.memberWithoutRole, why: expect.stringMatching(/--exclude-accounts/) }] });
    expect(report.coverage.notScanned).toEqual([]);
    const table = await rotor('report', '--latest', '--data-dir', suite.dir);
    expect(table.stdout).toMatch(/compliance: [\d.]+% of the covered keys have rotation on, NOT COVERED: \d+ of \d+ accounts in scope scanned, 1 excluded/);
    expect(table.stdout).toMatch(new RegExp(`${STANDARD.memberWithoutRole} +\\(all\\) +EXCLUDED`));
  });

  it('0 once the scope is remediated and covered; drift 0, then 3 when a key stops rotating; --exit-zero 0', async () => {
    const remediate = await run('--mode', 'remediate', '--accounts', MEMBER, '--wave-size', '100');
    expect(remediate.code).toBe(0);
    const clean = await run('--mode', 'scan', '--accounts', MEMBER);
    expect({ code: clean.code, stderr: clean.stderr }).toEqual({ code: 0, stderr: '' });
    // GetKeyRotationStatus's next rotation date reaches the report, with the key's aliases.
    const rotatingKeys = JSON.parse(clean.stdout).findings.filter((f: { status: string }) => f.status === 'COMPLIANT');
    expect(rotatingKeys.length).toBeGreaterThan(0);
    for (const f of rotatingKeys) expect(Date.parse(f.nextRotationDate)).toBeGreaterThan(Date.now());
    expect((await rotor('drift', '--data-dir', suite.dir)).code).toBe(0);

    const rotating = suite.sim.listKeys(MEMBER).find((k) => k.rotationEnabled && k.keyManager === 'CUSTOMER')!;
    suite.sim.setRotation(MEMBER, rotating.region, rotating.keyId, false);
    expect((await run('--mode', 'scan', '--accounts', MEMBER)).code).toBe(3);
    const drift = await rotor('drift', '--data-dir', suite.dir, '--output', 'json');
    expect(drift.code).toBe(3);
    expect(JSON.parse(drift.stdout).regressed.map((f: { keyId: string }) => f.keyId)).toEqual([rotating.keyId]);
    expect(drift.stderr).toMatch(/1 regressed key \(exit 3/);
    expect((await rotor('drift', '--data-dir', suite.dir, '--exit-zero')).code).toBe(0);
  });

  it('1 for a halted rollout, even with --exit-zero', async () => {
    suite.sim.addFault({ type: 'enable-rotation-error', accountId: MEMBER, error: 'KMSInternalException' });
    const halted = await run('--mode', 'remediate', '--accounts', MEMBER, '--max-failure-rate', '0', '--exit-zero');
    expect(halted.code).toBe(1);
    expect(halted.stderr).toMatch(/HALTED/);
  });

  it.each<[string[], RegExp]>([
    [['--fail-on', 'BROKEN'], /--fail-on: unknown "BROKEN": use some of COMPLIANT, NON_COMPLIANT/],
    [['--fail-on', ','], /--fail-on: names nothing/],
    [['--regions', 'us-east-1,us-east-9'], /--regions: "us-east-9" is not a Region of any AWS partition/],
  ])('2 for bad input %j, before any AWS call', async (args, message) => {
    const result = await run('--mode', 'scan', ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(suite.sim.totalCalls()).toBe(0);
  });

  it('the help lists the exit codes', async () => {
    for (const args of [['--help'], ['run', '--help'], ['drift', '--help']]) {
      const help = await rotor(...args);
      expect(help.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 +findings/);
    }
  });
});
