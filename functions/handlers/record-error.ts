// RecordError: the Catch of both maps. An account that could not be scanned becomes an error
// record; an account whose remediation kept failing also gets its wave's keys marked
// REMEDIATION_FAILED with the error, so no key is left without a status.
import { failureMessage } from '../core/runs';
import type { Finding } from '../core/schemas';
import { lambdaHandler, type Step } from './deps';

export interface RecordErrorEvent {
  runId: string;
  accountId: string;
  phase: 'scan' | 'remediate';
  failure: unknown;
  wave?: number;
}

export const recordError: Step<RecordErrorEvent, { accountId: string; keysFailed: number }> = (deps) => async (event) => {
  const error = failureMessage(event.failure);
  const at = deps.now().toISOString();
  await deps.store.putErrors([{ runId: event.runId, accountId: event.accountId, phase: event.phase, wave: event.wave, error, at }]);
  if (event.phase !== 'remediate') return { accountId: event.accountId, keysFailed: 0 };

  const failed: Finding[] = [];
  for await (const f of deps.store.findings(event.runId, event.accountId)) {
    if (f.wave === event.wave && f.status === 'NON_COMPLIANT') {
      // A key whose enable was requested may be rotating already; without the re-read it cannot be confirmed.
      const unconfirmed = f.enableRequestedAt ? ' (EnableKeyRotation was requested but not confirmed; the next scan will show)' : '';
      failed.push({ ...f, status: 'REMEDIATION_FAILED', reason: `remediation of the account failed: ${error}${unconfirmed}`, remediatedAt: at });
    }
  }
  await deps.store.putFindings(failed);
  return { accountId: event.accountId, keysFailed: failed.length };
};

export const handler = lambdaHandler(recordError);
