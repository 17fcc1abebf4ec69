// What a deployed step tells about its work, read where it is written: the store and the drift
// publisher, wrapped for one Lambda invocation. Each error record, each Region's outcome (scanned,
// failed, throttled), each key enabled or failed are logged and counted; the run's figures go out
// as EMF metrics. A log line carries ids, statuses and AWS's error text, never credentials or key
// material (no handler holds key material; credentials never reach the store).
import type { DriftPublisher } from '../aws/notifications';
import { inertText } from '../core/text';
import type { ErrorRecord, Finding } from '../core/schemas';
import type { AccountSummary } from '../core/account-summary';
import type { AccountScanRecord, ResultsStore } from '../store/results-store';
import { count, countStatus, logger } from './telemetry';

const errorFields = (e: ErrorRecord) => ({
  accountId: e.accountId,
  region: e.region,
  phase: e.phase,
  wave: e.wave,
  keyArn: e.keyArn,
  error: inertText(e.error),
});

/** Each Region of an account scan: scanned, failed (an error record of the Region), or throttled (left for the retry). */
function logRegions(scan: AccountScanRecord): void {
  const failed = new Map(scan.errors.filter((e) => e.region && !e.keyId).map((e) => [e.region!, e]));
  let throttled = 0;
  for (const region of scan.regions ?? []) {
    if (scan.scannedRegions.includes(region)) {
      logger.info('Region scanned', { region, keys: scan.findings.filter((f) => f.region === region).length });
    } else if (failed.has(region)) {
      logger.warn('Region failed', { region, error: inertText(failed.get(region)!.error) });
    } else {
      throttled++;
      logger.warn('Region throttled: KMS kept throttling after the SDK retries, the step is retried for it', { region });
    }
  }
  count('ThrottledRegions', throttled);
}

function logRemediated(findings: readonly Finding[]): void {
  for (const f of findings) {
    const key = { accountId: f.accountId, region: f.region, keyArn: f.keyArn };
    if (f.status === 'REMEDIATED') {
      logger.info('Key rotation enabled', key);
      count('KeysRemediated', 1);
    } else if (f.status === 'REMEDIATION_FAILED') {
      logger.warn('Key remediation failed', { ...key, reason: inertText(f.reason ?? '') });
      count('RemediationFailed', 1);
    }
  }
}

/** The store, with each write that says something about the run logged and counted. */
export function observedStore(store: ResultsStore): ResultsStore {
  const observed = Object.create(store) as ResultsStore;
  observed.putErrors = async (errors) => {
    for (const e of errors) logger.warn('Error record', errorFields(e));
    return store.putErrors(errors);
  };
  observed.putAccountScan = async (scan) => {
    logRegions(scan);
    return store.putAccountScan(scan);
  };
  observed.putAccountSummary = async (summary: AccountSummary) => {
    // Counted once per account: when its scan is complete (a throttled attempt writes a partial summary).
    if (summary.scannedAt) {
      const counts = Object.entries(summary.counts ?? {}) as [string, number][];
      count('KeysScanned', counts.reduce((sum, [, n]) => sum + n, 0));
      for (const [status, n] of counts) countStatus(status, n);
    }
    return store.putAccountSummary(summary);
  };
  observed.putFindings = async (findings) => {
    logRemediated(findings);
    return store.putFindings(findings);
  };
  return observed;
}

/** Finalize's notice, as the run's metrics (one data point each per run), then published as before. */
export function observedDrift(publish: DriftPublisher | undefined): DriftPublisher {
  return async (notice) => {
    count('NonCompliantKeys', notice.nonCompliantKeys);
    count('DriftedKeys', notice.driftedKeys);
    count('ErrorScopes', notice.errorScopes);
    logger.info('Run finalized', { status: notice.status, nonCompliantKeys: notice.nonCompliantKeys, driftedKeys: notice.driftedKeys, errorScopes: notice.errorScopes });
    await publish?.(notice);
  };
}
