// Coverage of a run from its account summaries, error records and input: accounts scanned, not
// scanned and excluded with why, Regions scanned against enabled, and the headline that never
// reads as a bare percentage when anything was left out.
import { complianceHeadline, coverageGaps, coverageText, fullyCovered, runCoverage, scopeCovered, EXCLUDED_BY_INPUT } from '../../functions/core/coverage';
import type { ErrorRecord } from '../../functions/core/schemas';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const at = '2026-01-01T00:00:00.000Z';
const error = (accountId: string, rest: Partial<ErrorRecord>): ErrorRecord => ({ runId: 'r', accountId, phase: 'scan', error: 'boom', at, ...rest });

describe('runCoverage', () => {
  it('counts a run that scanned everything as complete, and says so beside the figure', () => {
    const coverage = runCoverage({ input: {}, accountCount: 2 }, [
      { accountId: B, regions: ['us-east-1'], scannedRegions: ['us-east-1'], scannedAt: at },
      { accountId: A, regions: ['us-east-1', 'eu-west-1'], scannedRegions: ['eu-west-1', 'us-east-1'], scannedAt: at },
    ], []);
    expect(coverage).toEqual({
      accounts: { inScope: 2, scanned: 2, failed: 0, excluded: [] },
      regions: [
        { accountId: A, enabled: ['eu-west-1', 'us-east-1'], scanned: ['eu-west-1', 'us-east-1'] },
        { accountId: B, enabled: ['us-east-1'], scanned: ['us-east-1'] },
      ],
      notScanned: [],
    });
    expect(fullyCovered(coverage)).toBe(true);
    expect(complianceHeadline({ COMPLIANT: 4 }, coverage)).toBe(
      '100.0% of the covered keys have rotation on (coverage: complete, 2 of 2 accounts in scope scanned; 3 of 3 enabled Regions scanned)',
    );
  });

  it('names each excluded account with why, each account and Region not scanned with its error, and never reads as a bare 100%', () => {
    const coverage = runCoverage(
      { input: { excludeAccounts: ['999999999999'], accounts: [A, B, C, '444444444444'] }, accountCount: 3 },
      [
        { accountId: A, regions: ['eu-west-1', 'us-east-1'], scannedRegions: ['us-east-1'], scannedAt: at },
        { accountId: B, regions: [], scannedRegions: [], failed: true } as never,
      ],
      [
        error(A, { region: 'eu-west-1', error: 'UnrecognizedClientException' }),
        error(A, { region: 'us-east-1', keyId: 'k', error: 'one key' }),
        error(B, { error: 'AccessDenied: no role' }),
        error(C, { error: 'the account was not scanned: its scan failed and the failure could not be recorded' }),
        error('444444444444', { phase: 'list-accounts', error: 'not an ACTIVE account of the Organization' }),
      ],
    );
    expect(coverage.accounts).toEqual({
      inScope: 3,
      scanned: 1,
      failed: 2,
      excluded: [
        { accountId: '444444444444', why: 'not an ACTIVE account of the Organization' },
        { accountId: '999999999999', why: EXCLUDED_BY_INPUT },
      ],
    });
    expect(coverage.notScanned).toEqual([
      { accountId: A, region: 'eu-west-1', why: 'UnrecognizedClientException' },
      { accountId: B, why: 'AccessDenied: no role' },
      { accountId: C, why: 'the account was not scanned: its scan failed and the failure could not be recorded' },
    ]);
    expect(scopeCovered(coverage)).toBe(false);
    const headline = complianceHeadline({ COMPLIANT: 5 }, coverage);
    expect(headline).toBe(
      '100.0% of the covered keys have rotation on, NOT COVERED: 1 of 3 accounts in scope scanned (2 not scanned), 2 excluded; 1 of 2 enabled Regions scanned (1 not scanned)',
    );
  });

  it('sets the Regions scanned against every enabled Region: those left out by --regions are a stated gap, not a failure', () => {
    const coverage = runCoverage({ input: { regions: ['us-east-1'] }, accountCount: 1 }, [
      { accountId: A, regions: ['us-east-1'], enabledRegions: ['ap-south-1', 'eu-west-1', 'us-east-1'], scannedRegions: ['us-east-1'], scannedAt: at },
    ], []);
    expect(coverage.regions).toEqual([{ accountId: A, enabled: ['ap-south-1', 'eu-west-1', 'us-east-1'], scanned: ['us-east-1'] }]);
    expect(coverage.askedRegions).toEqual(['us-east-1']);
    expect(coverageGaps(coverage)).toMatchObject({ enabledRegions: 3, scannedRegions: 1, regionsNotScanned: 0, regionsNotAsked: 2 });
    expect(scopeCovered(coverage)).toBe(true);
    expect(fullyCovered(coverage)).toBe(false);
    expect(coverageText(coverage)).toBe('1 of 1 account in scope scanned; 1 of 3 enabled Regions scanned (2 not asked for (--regions))');
  });

  it('a run that found no key reads n/a, with its coverage', () => {
    const coverage = runCoverage({ input: {}, accountCount: 1 }, [], [error(A, { error: 'AccessDenied' })]);
    expect(complianceHeadline({}, coverage)).toBe('n/a of the covered keys have rotation on, NOT COVERED: 0 of 1 account in scope scanned (1 not scanned); 0 of 0 enabled Regions scanned');
    expect(coverage.notScanned).toEqual([{ accountId: A, why: 'AccessDenied' }]);
  });
});
