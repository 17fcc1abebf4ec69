// A run as ScanAccounts leaves it for Finalize: one member account scanned in one Region, a key of
// each status asked for, the account's summary, and the accounts manifest; and the records
// continuous enforcement leaves for the member's keys (EnforceKey's putEventRecord).
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { statusCounts } from '../../functions/core/account-summary';
import { eventRunId, type EventOutcome, type EventRecord } from '../../functions/core/key-event';
import { newRun } from '../../functions/core/runs';
import type { ExecutionInput, Finding, FindingStatus } from '../../functions/core/schemas';
import type { ResultsStore } from '../../functions/store/results-store';

export const SCANNED_MEMBER = '111122223333';
export const SCANNED_REGION = 'us-east-1';
const STARTED_AT = new Date('2026-12-02T10:00:00Z');
/** A minute after the run started. */
const scannedAt = (startedAt: Date) => new Date(startedAt.getTime() + 60_000).toISOString();

export interface ScannedRunOptions {
  runId: string;
  config: ExecutionInput;
  /** The member's keys in SCANNED_REGION: key id → status. */
  keys: Record<string, FindingStatus>;
  /** Every Region enabled in the member, when the summary should say (coverage sets SCANNED_REGION against it). */
  enabledRegions?: string[];
  /** When the run started (2026-12-02T10:00Z unless said). */
  startedAt?: Date;
}

/** Records the run and its one scanned member in `store`; the findings and the manifests Finalize reads. */
export async function recordScannedRun(store: ResultsStore, options: ScannedRunOptions): Promise<{ findings: Finding[]; manifests: MemoryManifestStore }> {
  const { runId, config, enabledRegions, startedAt = STARTED_AT } = options;
  const regions = [SCANNED_REGION];
  const at = scannedAt(startedAt);
  await store.createRun(newRun(runId, config, startedAt));
  const findings = Object.entries(options.keys).map(([keyId, status]): Finding => ({
    runId, accountId: SCANNED_MEMBER, region: SCANNED_REGION, keyId, keyArn: `arn:aws:kms:${SCANNED_REGION}:${SCANNED_MEMBER}:key/${keyId}`,
    status, rotationEnabledBefore: status === 'COMPLIANT', scannedAt: at,
  }));
  await store.putAccountScan({ runId, accountId: SCANNED_MEMBER, regions, scannedRegions: regions, findings, errors: [] });
  await store.putAccountSummary({
    runId, accountId: SCANNED_MEMBER, name: 'member', priority: false, regions, ...(enabledRegions && { enabledRegions }), scannedRegions: regions,
    scannedAt: at, counts: statusCounts(findings), errorCount: 0,
  });
  const manifests = new MemoryManifestStore();
  await manifests.put(runId, 'accounts', [{ accountId: SCANNED_MEMBER, name: 'member', parentIds: [], tags: {}, priority: false }]);
  await store.updateRun(runId, { accountCount: 1 });
  return { findings, manifests };
}

/**
 * The record of an event handled for the member's key `keyId` at `handledAt` (called a second
 * before): enforced (REMEDIATED), recorded (NON_COMPLIANT) or failed (no finding, a reason).
 */
export function memberEventRecord(eventId: string, eventName: string, keyId: string, outcome: Exclude<EventOutcome, 'dropped' | 'duplicate'>, handledAt: string, principal = `arn:aws:iam::${SCANNED_MEMBER}:role/alice`): EventRecord {
  const keyArn = `arn:aws:kms:${SCANNED_REGION}:${SCANNED_MEMBER}:key/${keyId}`;
  const eventTime = new Date(Date.parse(handledAt) - 1000).toISOString();
  const base = { eventId, eventName, eventTime, principal, accountId: SCANNED_MEMBER, region: SCANNED_REGION, keyId, keyArn, outcome, handledAt };
  if (outcome === 'failed') return { ...base, reason: 'cannot assume KmsRotorScanRole' };
  const status: FindingStatus = outcome === 'enforced' ? 'REMEDIATED' : 'NON_COMPLIANT';
  return {
    ...base,
    finding: {
      runId: eventRunId(eventId), accountId: SCANNED_MEMBER, region: SCANNED_REGION, keyId, keyArn, status,
      rotationEnabledBefore: false, ...(outcome === 'enforced' && { rotationEnabledAfter: true, rotationPeriodInDays: 365 }),
      scannedAt: handledAt, source: 'event', eventId, eventName, principal,
    },
  };
}
