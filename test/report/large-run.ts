// A report input of a halted rollout at 10,000 keys, for the browser test of the HTML report:
// 200 accounts of 50 keys in two Regions, one account not scanned, 50 keys whose remediation
// failed (the halt), about 1,400 keys of waves that never ran, 60 planned waves of which 3 ran, and a
// history of scans and remediations, two of them on one day.
import { runCoverage } from '../../functions/core/coverage';
import type { ErrorRecord, Finding, FindingStatus, RunRecord } from '../../functions/core/schemas';
import type { ReportInput } from '../../report';
import { syntheticAccountOf, syntheticFinding, type SyntheticRun } from '../../bench/synthetic-findings';

export const LARGE_KEYS = 10_000;
export const LARGE_ACCOUNTS = 200;
const PER_ACCOUNT = LARGE_KEYS / LARGE_ACCOUNTS;
const REGIONS = ['eu-west-1', 'us-east-1'];
const RUN_ID = 'rollout-10k';
const UNSCANNED = '100000000999';

/** The failed keys are spread over the first accounts; the keys of waves not run come after them. */
function statusOf(i: number): FindingStatus {
  if (i % 200 === 7) return 'REMEDIATION_FAILED';
  if (i % 7 === 3 && i >= 500) return 'NON_COMPLIANT';
  const r = i % 20;
  if (r === 0) return 'NOT_APPLICABLE';
  if (r === 1) return 'EXEMPT';
  if (r < 6) return 'REMEDIATED';
  return 'COMPLIANT';
}

const LARGE_RUN: SyntheticRun = {
  runId: RUN_ID,
  regions: REGIONS,
  keysPerAccount: PER_ACCOUNT,
  scannedAt: '2026-12-02T14:00:00.000Z',
  statusOf,
  // Waves 1-3 ran; the keys left non-compliant belong to the 57 waves after the halt.
  waveOf: (i, status) => (status === 'REMEDIATED' || status === 'REMEDIATION_FAILED' ? 1 + (i % 3) : status === 'NON_COMPLIANT' ? 4 + (i % 57) : undefined),
};
const accountOf = (i: number) => syntheticAccountOf(LARGE_RUN, i);

export const LARGE_FINDINGS: readonly Finding[] = Array.from({ length: LARGE_KEYS }, (_, i) => syntheticFinding(LARGE_RUN, i));
export const LARGE_FAILED = LARGE_FINDINGS.filter((f) => f.status === 'REMEDIATION_FAILED').length;
/** The keys of the waves that never ran. */
export const LARGE_NOT_RUN = LARGE_FINDINGS.filter((f) => f.status === 'NON_COMPLIANT').length;

function summary(): RunRecord['summary'] {
  const counts: Partial<Record<FindingStatus, number>> = {};
  for (const f of LARGE_FINDINGS) counts[f.status] = (counts[f.status] ?? 0) + 1;
  return counts;
}

export function largeRunInput(): ReportInput {
  const run: RunRecord = {
    runId: RUN_ID,
    mode: 'remediate',
    status: 'HALTED',
    startedAt: '2026-12-02T14:00:00.000Z',
    finishedAt: '2026-12-02T14:40:00.000Z',
    input: { mode: 'remediate' },
    accountCount: LARGE_ACCOUNTS + 1,
    waveCount: 60,
    waves: [1, 2, 3].map((wave) => ({ wave, keys: 700, remediated: wave === 3 ? 650 : 700, failed: wave === 3 ? LARGE_FAILED : 0, failureRate: wave === 3 ? LARGE_FAILED / 700 : 0, halted: wave === 3 })),
    summary: summary(),
    errorCount: 1,
    haltReason: `wave 3 failure rate ${((100 * LARGE_FAILED) / 700).toFixed(1)}% exceeds 5.0%`,
    scope: 'org',
  };
  const errors: ErrorRecord[] = [{ runId: RUN_ID, accountId: UNSCANNED, phase: 'scan', error: 'AccessDenied: role KmsRotorRemediateRole is missing', at: '2026-12-02T14:01:00.000Z' }];
  const accountIds = Array.from({ length: LARGE_ACCOUNTS }, (_, n) => accountOf(n * PER_ACCOUNT));
  const summaries = [
    ...accountIds.map((accountId) => ({ accountId, regions: REGIONS, scannedRegions: REGIONS, scannedAt: '2026-12-02T14:05:00.000Z' })),
    { accountId: UNSCANNED, regions: [], scannedRegions: [] },
  ];
  return {
    run,
    findings: () => LARGE_FINDINGS,
    errors,
    coverage: runCoverage(run, summaries, errors),
    exceptions: [],
    accounts: Object.fromEntries(accountIds.map((id, n) => [id, { name: `workload-${n}` }])),
    wavePlan: Array.from({ length: 60 }, (_, n) => ({ wave: n + 1, keys: n < 3 ? 700 : 24, accounts: 12 })),
    history: [
      { runId: 'scan-1', startedAt: '2026-11-20T06:00:00.000Z', mode: 'scan', summary: { COMPLIANT: 2900, NON_COMPLIANT: 7100 } },
      { runId: 'scan-2', startedAt: '2026-12-02T08:00:00.000Z', mode: 'scan', summary: { COMPLIANT: 5800, NON_COMPLIANT: 4200 } },
      { runId: 'rollout-1', startedAt: '2026-12-02T11:00:00.000Z', mode: 'remediate', summary: { COMPLIANT: 5800, REMEDIATED: 1200, NON_COMPLIANT: 3000 } },
    ],
    now: new Date('2026-12-02T15:00:00.000Z'),
  };
}
