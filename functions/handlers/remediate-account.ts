// RemediateAccount: one account of a wave. Enables rotation on the account's keys of the wave
// that are not yet remediated, re-scans them and writes their outcome.
import { ThrottlingError } from '../aws/clients';
import { remediateKeys } from '../aws/rotation';
import type { ExecutionInput, Finding } from '../core/schemas';
import { lambdaHandler, type Step } from './deps';

export interface RemediateAccountEvent {
  runId: string;
  wave: number;
  config: ExecutionInput;
  accountId: string;
}

export const remediateAccount: Step<RemediateAccountEvent, { accountId: string; remediated: number; failed: number }> =
  (deps) =>
  async ({ runId, wave, config, accountId }) => {
    const pending: Finding[] = [];
    // A retried invocation skips keys that already have an outcome.
    for await (const f of deps.store.findings(runId, accountId)) if (f.wave === wave && f.status === 'NON_COMPLIANT') pending.push(f);
    const { findings, throttled } = await remediateKeys(
      runId,
      accountId,
      pending,
      { roleName: config.remediateRoleName, externalId: config.externalId, rotationPeriodInDays: config.rotationPeriodInDays },
      deps.now,
    );
    await deps.store.putFindings(findings);
    if (throttled.length > 0) throw new ThrottlingError(`KMS kept throttling remediation in ${accountId} ${throttled.join(', ')}`);
    const failed = findings.filter((f) => f.status === 'REMEDIATION_FAILED').length;
    return { accountId, remediated: findings.length - failed, failed };
  };

export const handler = lambdaHandler(remediateAccount);
