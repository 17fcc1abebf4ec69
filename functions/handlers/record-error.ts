// RecordError: the Catch of both maps. An account that could not be scanned becomes an error
// record (or, when some of its Regions were scanned, one per Region left); an account scanned in
// full before its invocation failed is not recorded as unscanned. An account whose remediation
// kept failing gets its wave's keys marked REMEDIATION_FAILED with the error, so no key is left
// without a status.
import { statusCounts } from '../core/account-summary';
import { failureMessage } from '../core/runs';
import { AccountTarget, type ErrorRecord, type Finding } from '../core/schemas';
import * as z from 'zod';
import { putWaveOutcome, waveKeysOf } from '../store/wave-keys';
import { lambdaHandler, parsedStep, type HandlerDeps } from './deps';

/** The event the ASL passes (a Catch's Parameters): parsed, so a change that breaks it names the field. */
export const RecordErrorEvent = z.object({
  runId: z.string(),
  accountId: z.string(),
  /** The account as the scan map had it (scan phase): its name and priority for the summary. */
  account: AccountTarget.partial().optional(),
  phase: z.enum(['scan', 'remediate']),
  failure: z.unknown(),
  wave: z.number().int().optional(),
});
export type RecordErrorEvent = z.infer<typeof RecordErrorEvent>;

async function recordScanError(deps: HandlerDeps, event: RecordErrorEvent, error: string, at: string): Promise<void> {
  const summary = await deps.store.getAccountSummary(event.runId, event.accountId);
  if (summary?.scannedAt) return;
  // Without a summary, the scan object says what was scanned (the store may have failed after it).
  const scan = summary ? undefined : await deps.store.getAccountScan(event.runId, event.accountId);
  const regions = summary?.regions ?? scan?.regions ?? [];
  const scannedRegions = summary?.scannedRegions ?? scan?.scannedRegions ?? [];
  const left = regions.filter((r) => !scannedRegions.includes(r));
  const base = { runId: event.runId, accountId: event.accountId, phase: 'scan', at };
  const errors: ErrorRecord[] =
    scannedRegions.length === 0
      ? [{ ...base, error }]
      : left.map((region) => ({ ...base, region, error: `the Region was not scanned: ${error}` }));
  await deps.store.putErrors([...(scan?.errors ?? []), ...errors]);
  await deps.store.putAccountSummary({
    runId: event.runId,
    accountId: event.accountId,
    name: summary?.name ?? event.account?.name ?? '',
    priority: summary?.priority ?? event.account?.priority ?? false,
    regions,
    scannedRegions,
    // Every Region was scanned and written; only what came after failed: the account is scanned.
    scannedAt: scannedRegions.length > 0 && left.length === 0 ? at : undefined,
    counts: summary?.counts ?? statusCounts(scan?.findings ?? []),
    errorCount: (summary?.errorCount ?? scan?.errors.length ?? 0) + errors.length,
    failed: errors.length > 0 ? true : undefined,
  });
}

export const step = parsedStep(RecordErrorEvent, (deps): ((event: RecordErrorEvent) => Promise<{ accountId: string; keysFailed: number }>) => async (event) => {
  const error = failureMessage(event.failure);
  const at = deps.now().toISOString();
  if (event.phase !== 'remediate' || event.wave === undefined) {
    await recordScanError(deps, event, error, at);
    return { accountId: event.accountId, keysFailed: 0 };
  }
  await deps.store.putErrors([{ runId: event.runId, accountId: event.accountId, phase: event.phase, wave: event.wave, error, at }]);
  const ofWave = await waveKeysOf(deps.store, event.runId, event.accountId, event.wave);
  const failed: Finding[] = ofWave
    .filter((f) => f.status === 'NON_COMPLIANT')
    .map((f) => {
      // A key whose enable was requested may be rotating already; without the re-read it cannot be confirmed.
      const unconfirmed = f.enableRequestedAt ? ' (EnableKeyRotation was requested but not confirmed; the next scan will show)' : '';
      return { ...f, status: 'REMEDIATION_FAILED', reason: `remediation of the account failed: ${error}${unconfirmed}`, remediatedAt: at };
    });
  await deps.store.putFindings(failed);
  await putWaveOutcome(deps.store, event.runId, event.accountId, event.wave, ofWave, failed);
  return { accountId: event.accountId, keysFailed: failed.length };
});

export const handler = lambdaHandler('RecordError', step);
