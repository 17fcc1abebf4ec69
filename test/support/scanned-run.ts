// A run as ScanAccounts leaves it for Finalize: one member account scanned in one Region, a key of
// each status asked for, the account's summary, and the accounts manifest.
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { statusCounts } from '../../functions/core/account-summary';
import { newRun } from '../../functions/core/runs';
import type { ExecutionInput, Finding, FindingStatus } from '../../functions/core/schemas';
import type { ResultsStore } from '../../functions/store/results-store';

export const SCANNED_MEMBER = '111122223333';
export const SCANNED_REGION = 'us-east-1';
const STARTED_AT = new Date('2026-12-02T10:00:00Z');
const SCANNED_AT = '2026-12-02T10:01:00.000Z';

export interface ScannedRunOptions {
  runId: string;
  config: ExecutionInput;
  /** The member's keys in SCANNED_REGION: key id → status. */
  keys: Record<string, FindingStatus>;
  /** Every Region enabled in the member, when the summary should say (coverage sets SCANNED_REGION against it). */
  enabledRegions?: string[];
}

/** Records the run and its one scanned member in `store`; the findings and the manifests Finalize reads. */
export async function recordScannedRun(store: ResultsStore, options: ScannedRunOptions): Promise<{ findings: Finding[]; manifests: MemoryManifestStore }> {
  const { runId, config, enabledRegions } = options;
  const regions = [SCANNED_REGION];
  await store.createRun(newRun(runId, config, STARTED_AT));
  const findings = Object.entries(options.keys).map(([keyId, status]): Finding => ({
    runId, accountId: SCANNED_MEMBER, region: SCANNED_REGION, keyId, keyArn: `arn:aws:kms:${SCANNED_REGION}:${SCANNED_MEMBER}:key/${keyId}`,
    status, rotationEnabledBefore: status === 'COMPLIANT', scannedAt: SCANNED_AT,
  }));
  await store.putAccountScan({ runId, accountId: SCANNED_MEMBER, regions, scannedRegions: regions, findings, errors: [] });
  await store.putAccountSummary({
    runId, accountId: SCANNED_MEMBER, name: 'member', priority: false, regions, ...(enabledRegions && { enabledRegions }), scannedRegions: regions,
    scannedAt: SCANNED_AT, counts: statusCounts(findings), errorCount: 0,
  });
  const manifests = new MemoryManifestStore();
  await manifests.put(runId, 'accounts', [{ accountId: SCANNED_MEMBER, name: 'member', parentIds: [], tags: {}, priority: false }]);
  await store.updateRun(runId, { accountCount: 1 });
  return { findings, manifests };
}
