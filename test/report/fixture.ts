// A fixture run for the report tests: every finding status, an AWS-managed key, hostile text
// (a <script> alias, a spreadsheet formula, quotes and a line break), two error records, three
// exceptions (expired, ending within 30 days, active), a halted wave plan and a run history.
import type { ErrorRecord, ExceptionRecord, Finding, RunRecord } from '../../functions/core/schemas';
import type { ReportInput } from '../../report';
import { keyEventsOf, type KeyEvents } from '../../functions/core/run-key-events';
import { runCoverage } from '../../functions/core/coverage';

export const NOW = new Date('2025-06-01T12:00:00.000Z');
export const RUN_ID = 'run-2025-06-01';
export const PROD = '111111111111';
export const DEV = '222222222222';
export const BROKEN = '333333333333';

const keyId = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
const arn = (account: string, region: string, n: number) => `arn:aws:kms:${region}:${account}:key/${keyId(n)}`;

function finding(n: number, accountId: string, region: string, rest: Partial<Finding> & Pick<Finding, 'status'>): Finding {
  return {
    runId: RUN_ID,
    accountId,
    region,
    keyId: keyId(n),
    keyArn: arn(accountId, region, n),
    rotationEnabledBefore: null,
    scannedAt: '2025-06-01T11:00:00.000Z',
    keyManager: 'CUSTOMER',
    ...rest,
  };
}

export const SCRIPT_ALIAS = 'alias/<script>alert(1)</script>';
export const FORMULA_REASON = '=HYPERLINK("http://evil.example","click")';
export const MULTILINE_REASON = 'asymmetric key, "RSA_2048",\nnot covered';

/** Sorted by accountId, region, keyId: the store's order. */
export const FINDINGS: Finding[] = [
  finding(1, PROD, 'eu-west-1', { status: 'COMPLIANT', rotationEnabledBefore: true, rotationPeriodInDays: 365, nextRotationDate: '2026-03-01T00:00:00.000Z', aliases: ['alias/app'], tags: { team: 'a=b;c', cost: '=1+2' } }),
  finding(2, PROD, 'us-east-1', {
    status: 'REMEDIATED',
    rotationEnabledBefore: false,
    rotationEnabledAfter: true,
    rotationPeriodInDays: 365,
    wave: 1,
    remediatedAt: '2025-06-01T11:30:00.000Z',
  }),
  finding(3, PROD, 'us-east-1', {
    status: 'REMEDIATION_FAILED',
    rotationEnabledBefore: false,
    rotationEnabledAfter: false,
    wave: 2,
    reason: 'AccessDeniedException: not authorized to perform kms:EnableKeyRotation',
  }),
  finding(4, PROD, 'us-east-1', { status: 'NOT_APPLICABLE', keyManager: 'AWS', reason: 'AWS-managed key', aliases: ['alias/aws/s3'] }),
  finding(5, DEV, 'us-east-1', { status: 'NON_COMPLIANT', rotationEnabledBefore: false, wave: 3, reason: FORMULA_REASON, aliases: [SCRIPT_ALIAS] }),
  finding(6, DEV, 'us-west-2', {
    status: 'EXEMPT',
    rotationEnabledBefore: false,
    exception: { owner: 'team-data', reason: 'vendor lock, "legacy" app', expiresAt: '2025-06-15' },
  }),
  finding(7, DEV, 'us-west-2', { status: 'NOT_APPLICABLE', reason: MULTILINE_REASON }),
];

export const EXCEPTIONS: ExceptionRecord[] = [
  { target: arn(DEV, 'us-west-2', 6), owner: 'team-data', reason: 'vendor lock, "legacy" app', expiresAt: '2025-06-15', createdAt: '2025-01-01T00:00:00Z' },
  { target: '444444444444', owner: 'platform', reason: 'sandbox account', expiresAt: '2026-01-31', createdAt: '2025-01-01T00:00:00Z' },
  { target: arn(PROD, 'us-east-1', 9), owner: 'old-owner', reason: 'migration', expiresAt: '2025-05-01', createdAt: '2024-01-01T00:00:00Z' },
];

export const ERRORS: ErrorRecord[] = [
  { runId: RUN_ID, accountId: BROKEN, phase: 'scan', error: 'AccessDenied: role KmsRotorScanRole is missing', at: '2025-06-01T11:01:00.000Z' },
  { runId: RUN_ID, accountId: PROD, region: 'ap-south-1', phase: 'scan', error: 'Region failure <b>bold</b>', at: '2025-06-01T11:02:00.000Z' },
];

export const RUN: RunRecord = {
  runId: RUN_ID,
  mode: 'remediate',
  status: 'HALTED',
  startedAt: '2025-06-01T11:00:00.000Z',
  finishedAt: '2025-06-01T11:45:00.000Z',
  input: { mode: 'remediate' },
  accountCount: 3,
  waveCount: 3,
  waves: [
    { wave: 1, keys: 1, remediated: 1, failed: 0, failureRate: 0, halted: false },
    { wave: 2, keys: 1, remediated: 0, failed: 1, failureRate: 1, halted: true },
  ],
  summary: { COMPLIANT: 1, NON_COMPLIANT: 1, REMEDIATED: 1, REMEDIATION_FAILED: 1, EXEMPT: 1, NOT_APPLICABLE: 2 },
  errorCount: 2,
  haltReason: 'wave 2 failure rate 100.0% exceeds 5.0%',
  scope: 'org',
};

/** PROD's ap-south-1 and all of BROKEN not scanned (their error records), one account excluded. */
export const SUMMARIES = [
  { accountId: PROD, regions: ['ap-south-1', 'eu-west-1', 'us-east-1'], scannedRegions: ['eu-west-1', 'us-east-1'], scannedAt: '2025-06-01T11:05:00.000Z' },
  { accountId: DEV, regions: ['us-east-1', 'us-west-2'], scannedRegions: ['us-east-1', 'us-west-2'], scannedAt: '2025-06-01T11:05:00.000Z' },
  { accountId: BROKEN, regions: [], scannedRegions: [] },
];
export const EXCLUDED = '555555555555';
export const COVERAGE = runCoverage({ ...RUN, input: { mode: 'remediate', excludeAccounts: [EXCLUDED] } }, SUMMARIES, ERRORS);

export const ACCOUNTS = { [PROD]: { name: 'prod-core' }, [DEV]: { name: 'dev & <sandbox>' } };

/** An async source, as the store gives: each call starts a fresh iteration. */
export function asyncSource<T>(items: readonly T[]): () => AsyncIterable<T> {
  return async function* () {
    for (const item of items) yield item;
  };
}

export function fixtureInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    run: RUN,
    findings: asyncSource(FINDINGS),
    errors: ERRORS,
    coverage: COVERAGE,
    exceptions: EXCEPTIONS,
    accounts: ACCOUNTS,
    wavePlan: [
      { wave: 1, keys: 1, accounts: 1 },
      { wave: 2, keys: 1, accounts: 1 },
      { wave: 3, keys: 1, accounts: 1 },
    ],
    history: [
      { runId: 'run-2025-05-01', startedAt: '2025-05-01T11:00:00.000Z', summary: { COMPLIANT: 1, NON_COMPLIANT: 3 } },
      { runId: 'run-2025-05-15', startedAt: '2025-05-15T11:00:00.000Z', summary: { COMPLIANT: 2, NON_COMPLIANT: 2, NOT_APPLICABLE: 2 } },
    ],
    now: NOW,
    ...overrides,
  };
}

export function consoleUrlOf(f: Finding): string {
  const page = f.keyManager === 'AWS' ? 'defaultKeys' : 'keys';
  return `https://${f.region}.console.aws.amazon.com/kms/home?region=${f.region}#/kms/${page}/${f.keyId}`;
}

export const ENFORCED_EVENT = 'e0000000-0000-4000-8000-000000000001';
export const DETECTED_EVENT = 'e0000000-0000-4000-8000-000000000002';
export const FAILED_EVENT = 'e0000000-0000-4000-8000-000000000003';
export const ALICE = `arn:aws:iam::${PROD}:role/alice`;

/** Three events handled around the run (not in fixtureInput by default): enforced before it, recorded and failed since. */
export const KEY_EVENTS: KeyEvents = keyEventsOf(
  [
    {
      eventId: ENFORCED_EVENT, eventName: 'CreateKey', eventTime: '2025-06-01T10:30:00Z', principal: ALICE, accountId: PROD, region: 'us-east-1',
      keyId: keyId(40), keyArn: arn(PROD, 'us-east-1', 40), outcome: 'enforced', handledAt: '2025-06-01T10:30:01.000Z',
      finding: { ...finding(40, PROD, 'us-east-1', { status: 'REMEDIATED', rotationEnabledBefore: false, rotationEnabledAfter: true, rotationPeriodInDays: 180 }), source: 'event', eventId: ENFORCED_EVENT },
    },
    {
      eventId: DETECTED_EVENT, eventName: 'DisableKeyRotation', eventTime: '2025-06-01T11:30:00Z', principal: ALICE, accountId: DEV, region: 'eu-west-1',
      keyId: keyId(41), keyArn: arn(DEV, 'eu-west-1', 41), outcome: 'recorded', handledAt: '2025-06-01T11:30:01.000Z',
      finding: { ...finding(41, DEV, 'eu-west-1', { status: 'NON_COMPLIANT', reason: 'rotation is off', rotationEnabledBefore: false }), source: 'event', eventId: DETECTED_EVENT },
    },
    {
      eventId: FAILED_EVENT, eventName: 'EnableKey', eventTime: '2025-06-01T11:40:00Z', principal: ALICE, accountId: BROKEN, region: 'us-east-1',
      keyId: keyId(42), keyArn: arn(BROKEN, 'us-east-1', 42), outcome: 'failed', reason: 'cannot assume KmsRotorScanRole', handledAt: '2025-06-01T11:40:01.000Z',
    },
  ],
  { from: '2025-05-15T11:00:00.000Z', to: NOW.toISOString() },
  RUN,
);
