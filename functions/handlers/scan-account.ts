// ScanAccount: one account of the ScanAccounts map. Writes, in this order, the error records of
// the Regions it finished, the changes in its keys' history, its scan (findings and error
// records together, one object), then its summary: a Region is "done" only once all of that is
// written, so a retry after throttling scans exactly the rest and loses nothing.
import { scanAccount } from '../aws/account-scan';
import { ThrottlingError } from '../aws/clients';
import { statusCounts } from '../core/account-summary';
import { keyChanges } from '../core/key-history';
import type { AccountTarget, ErrorRecord, ExecutionInput } from '../core/schemas';
import { keys } from '../store/layout';
import { lambdaHandler, type Step } from './deps';

const DAY_MS = 86_400_000;

export interface ScanAccountEvent {
  runId: string;
  config: ExecutionInput;
  account: AccountTarget;
}

export interface ScanAccountResult {
  accountId: string;
  keys: number;
  errors: number;
}

/** Error records of one scope once: a retry that meets the same failure again does not repeat it. */
function uniqueErrors(errors: readonly ErrorRecord[]): ErrorRecord[] {
  return [...new Map(errors.map((e) => [keys.error(e).sk, e])).values()];
}

export const scanAccountStep: Step<ScanAccountEvent, ScanAccountResult> = (deps) => async ({ runId, config, account }) => {
  const { store } = deps;
  const exceptions = await store.exceptions();
  // A retry scans only the Regions an earlier attempt finished neither with findings nor with an error.
  const earlier = await store.getAccountScan(runId, account.accountId);
  const failedEarlier = (earlier?.errors ?? []).filter((e) => e.region && !e.keyId).map((e) => e.region!);
  const done = new Set([...(earlier?.scannedRegions ?? []), ...failedEarlier]);
  const scan = await scanAccount(runId, account, config, exceptions, deps.now, done);

  const previousRunId = await store.latestScanOf(account.accountId);
  const previous = previousRunId && previousRunId !== runId ? await store.accountFindings(previousRunId, account.accountId) : undefined;
  const now = deps.now();
  const { changes, findings } = keyChanges(
    previous,
    { runId, accountId: account.accountId, findings: scan.findings, errors: scan.errors, scannedRegions: scan.completed },
    now,
    new Date(now.getTime() - store.historyCheckpointDays * DAY_MS),
  );

  await store.putErrors(scan.errors);
  await store.putKeyChanges(changes);
  const scannedRegions = [...new Set([...(earlier?.scannedRegions ?? []), ...scan.completed])].sort();
  const record = {
    runId,
    accountId: account.accountId,
    scannedRegions,
    findings: [...(earlier?.findings ?? []), ...findings],
    errors: uniqueErrors([...(earlier?.errors ?? []), ...scan.errors]),
  };
  await store.putAccountScan(record);
  const complete = scan.throttled.length === 0;
  await store.putAccountSummary({
    runId,
    accountId: account.accountId,
    name: account.name,
    priority: account.priority,
    regions: scan.regions,
    scannedRegions,
    scannedAt: complete ? now.toISOString() : undefined,
    counts: statusCounts(record.findings),
    errorCount: record.errors.length,
  });
  if (!complete) throw new ThrottlingError(`KMS kept throttling in ${account.accountId} ${scan.throttled.join(', ')} after the SDK's retries`);
  await store.setLatestScan(account.accountId, runId);
  return { accountId: account.accountId, keys: record.findings.length, errors: record.errors.length };
};

export const handler = lambdaHandler(scanAccountStep);
