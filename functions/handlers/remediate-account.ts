// RemediateAccount: one account of a wave. Enables rotation on the account's keys of the wave
// that are not yet remediated, re-scans them and writes each outcome as it is known, then the
// account's outcome for the wave; keys that an exception added since the scan covers become
// EXEMPT and are left alone.
import { ThrottlingError, TimeBudgetExceeded } from './step-errors';
import { externalIdFromEnv } from '../aws/external-id';
import { remediateKeys } from '../aws/rotation';
import { exceptionFor } from '../core/exceptions';
import { ExecutionInput, type Finding } from '../core/schemas';
import * as z from 'zod';
import { putWaveOutcome, waveKeysOf } from '../store/wave-keys';
import { lambdaHandler, parsedStep } from './deps';

/** Stop starting keys this long before Lambda's timeout, so the outcomes so far are written. */
const SAFETY_MARGIN_MS = 60_000;

/** The event the ASL passes (its Parameters): parsed, so a change that breaks it names the field. */
export const RemediateAccountEvent = z.object({ runId: z.string(), wave: z.number().int(), config: ExecutionInput, accountId: z.string() });
export type RemediateAccountEvent = z.infer<typeof RemediateAccountEvent>;

export const step = parsedStep(RemediateAccountEvent, (deps): ((event: RemediateAccountEvent) => Promise<{ accountId: string; remediated: number; failed: number }>) =>
  async ({ runId, wave, config, accountId }) => {
    const exceptions = await deps.store.exceptions();
    const now = deps.now();
    const ofWave = await waveKeysOf(deps.store, runId, accountId, wave);
    const pending: Finding[] = [];
    const exempt: Finding[] = [];
    // A retried invocation skips keys that already have an outcome.
    for (const f of ofWave) {
      if (f.status !== 'NON_COMPLIANT') continue;
      const exception = exceptionFor(f.keyArn, accountId, exceptions, now);
      if (!exception) pending.push(f);
      else exempt.push({ ...f, status: 'EXEMPT', reason: `exception added during the rollout by ${exception.owner} until ${exception.expiresAt}: ${exception.reason}`, exception: { owner: exception.owner, reason: exception.reason, expiresAt: exception.expiresAt }, remediatedAt: now.toISOString() });
    }
    await deps.store.putFindings(exempt);
    const timeLeft = deps.timeLeftMs;
    const { findings, throttled, outOfTime } = await remediateKeys(
      runId,
      accountId,
      pending,
      { roleName: config.remediateRoleName, externalId: await deps.externalId?.(), rotationPeriodInDays: config.rotationPeriodInDays },
      deps.now,
      (finding) => deps.store.putFindings([finding]),
      () => (timeLeft ? timeLeft() < SAFETY_MARGIN_MS : false),
    );
    await putWaveOutcome(deps.store, runId, accountId, wave, ofWave, [...exempt, ...findings]);
    if (throttled.length > 0) throw new ThrottlingError(`KMS kept throttling remediation in ${accountId} ${throttled.join(', ')}`);
    if (outOfTime) throw new TimeBudgetExceeded(`${pending.length - findings.length} key(s) of ${accountId} left for the next attempt`);
    const failed = findings.filter((f) => f.status === 'REMEDIATION_FAILED').length;
    const remediated = findings.filter((f) => f.status === 'REMEDIATED').length;
    return { accountId, remediated, failed };
  });

export const handler = lambdaHandler('RemediateAccount', step, () => ({ externalId: externalIdFromEnv() }));
