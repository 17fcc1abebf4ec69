// ScanAccount: one account of the ScanAccounts map. Its scan (findings and error records of every
// Region finished so far, together in one object) is written first: that is what makes a Region
// done. Then the error records, the changes in its keys' history and its summary, all rebuilt
// from the whole scan on every attempt, so a retry after throttling (of KMS or of the store)
// scans exactly the Regions left and loses no finding, error record or change.
import { scanAccount } from '../aws/account-scan';
import { externalIdFromEnv } from '../aws/external-id';
import { ThrottlingError } from './step-errors';
import { statusCounts, type AccountSummary } from '../core/account-summary';
import { keyChanges } from '../core/key-history';
import { computeDrift, driftSummary } from '../core/drift';
import { AccountTarget, ExecutionInput, type ErrorRecord, type Finding } from '../core/schemas';
import * as z from 'zod';
import { keys } from '../store/layout';
import type { AccountScanRecord, ResultsStore } from '../store/results-store';
import { lambdaHandler, parsedStep } from './deps';

const DAY_MS = 86_400_000;

type DriftCounts = NonNullable<AccountSummary['drift']>;

/** The event the ASL passes (its Parameters): parsed, so a change that breaks it names the field. */
export const ScanAccountEvent = z.object({ runId: z.string(), config: ExecutionInput, account: AccountTarget });
export type ScanAccountEvent = z.infer<typeof ScanAccountEvent>;

export interface ScanAccountResult {
  accountId: string;
  keys: number;
  errors: number;
}

/** Error records of one scope once: a retry that meets the same failure again does not repeat it. */
function uniqueErrors(errors: readonly ErrorRecord[]): ErrorRecord[] {
  return [...new Map(errors.map((e) => [keys.error(e).sk, e])).values()];
}

/** Regions an earlier attempt finished, with findings or with an error record of the Region. */
function finishedRegions(earlier: AccountScanRecord | undefined): Set<string> {
  const failed = (earlier?.errors ?? []).filter((e) => e.region && !e.keyId).map((e) => e.region!);
  return new Set([...(earlier?.scannedRegions ?? []), ...failed]);
}

/**
 * The account's drift against the run's previous run of the same scope, as the scan found it:
 * Finalize adds these up, and recomputes only the accounts that remediation changed since.
 */
async function scanDrift(
  store: ResultsStore,
  runId: string,
  accountId: string,
  findings: Finding[],
  errors: ErrorRecord[],
  latest: { runId: string; findings: Finding[] } | undefined,
  now: Date,
): Promise<DriftCounts> {
  const run = await store.getRun(runId);
  if (!run) throw new Error(`run ${runId} is not in the results store`);
  const previous = run.previousRunId ? await store.getRun(run.previousRunId) : undefined;
  const previousFindings = !previous ? undefined : latest?.runId === previous.runId ? latest.findings : (await store.accountFindings(previous.runId, accountId)).findings;
  const { newNonCompliant, regressed, resolved } = driftSummary(await computeDrift({ run, findings, errors }, previous && { run: previous, findings: previousFindings! }, [], now));
  return { newNonCompliant, regressed, resolved };
}

export const step = parsedStep(ScanAccountEvent, (deps): ((event: ScanAccountEvent) => Promise<ScanAccountResult>) => async ({ runId, config, account }) => {
  const { store } = deps;
  const earlier = await store.getAccountScan(runId, account.accountId);
  const done = finishedRegions(earlier);
  // An attempt after a failed store write finds every Region done: it writes, and calls no AWS.
  const nothingLeft = earlier?.regions !== undefined && earlier.regions.every((r) => done.has(r));
  const scan = nothingLeft
    ? { findings: [], errors: [], throttled: [], completed: [], regions: earlier.regions!, enabled: undefined }
    : await scanAccount(runId, account, { ...config, externalId: await deps.externalId?.() }, await store.exceptions(), deps.now, done);

  const previousRunId = await store.latestScanOf(account.accountId);
  const previous = previousRunId && previousRunId !== runId ? await store.accountFindings(previousRunId, account.accountId) : undefined;
  const scannedRegions = [...new Set([...(earlier?.scannedRegions ?? []), ...scan.completed])].sort();
  const errors = uniqueErrors([...(earlier?.errors ?? []), ...scan.errors]);
  const now = deps.now();
  const { changes, findings } = keyChanges(
    previous,
    { runId, accountId: account.accountId, findings: [...(earlier?.findings ?? []), ...scan.findings], errors, scannedRegions },
    now,
    new Date(now.getTime() - store.historyCheckpointDays * DAY_MS),
  );
  await store.putAccountScan({ runId, accountId: account.accountId, regions: scan.regions, scannedRegions, findings, errors });
  const drift = await scanDrift(store, runId, account.accountId, findings, errors, previousRunId === undefined ? undefined : { runId: previousRunId, findings: previous?.findings ?? [] }, now);

  await store.putErrors(errors);
  await store.putKeyChanges(changes);
  const complete = scan.throttled.length === 0;
  await store.putAccountSummary({
    runId,
    accountId: account.accountId,
    name: account.name,
    priority: account.priority,
    regions: scan.regions,
    enabledRegions: scan.enabled,
    scannedRegions,
    scannedAt: complete ? now.toISOString() : undefined,
    counts: statusCounts(findings),
    errorCount: errors.length,
    drift,
  });
  if (!complete) throw new ThrottlingError(`KMS kept throttling in ${account.accountId} ${scan.throttled.join(', ')} after the SDK's retries`);
  await store.setLatestScan(account.accountId, runId);
  return { accountId: account.accountId, keys: findings.length, errors: errors.length };
});

export const handler = lambdaHandler('ScanAccount', step, () => ({ externalId: externalIdFromEnv() }));
