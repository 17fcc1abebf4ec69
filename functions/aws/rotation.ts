// Turns rotation on for one account's keys of a wave: a key is read first when its scan is not
// fresh or an earlier attempt asked to enable it (it may have changed since), enabled at a pace
// under the EnableKeyRotation quota (15/s per account and Region), then re-read: only a confirmed
// key is REMEDIATED.
import { EnableKeyRotationCommand, type KMSClient } from '@aws-sdk/client-kms';
import { needsReadBeforeEnable, verifyRemediation, type RotationState } from '../core/classify';
import type { Finding } from '../core/schemas';
import { describeError, isThrottling } from './errors';
import { kmsClient } from './clients/kms';
import { credentialsFor } from './credentials';
import { readRotation } from './key-scanner';
import { RatePacer } from './pool';

/** 80% of the 15/s EnableKeyRotation quota, leaving the rest to other callers in the account. */
export const ENABLE_PER_SECOND = 12;

/** Errors that mean the key left the control's scope since the scan (deleted, disabled...). */
const GONE = /NotFoundException|DisabledException|KMSInvalidStateException/;

export interface RemediationConfig {
  roleName: string;
  externalId?: string;
  rotationPeriodInDays?: number;
}

export interface Remediation {
  /** The keys that got an outcome, to be written whatever happens to the rest. */
  findings: Finding[];
  /** Regions where throttling outlasted the SDK's retries: their remaining keys wait for a retry. */
  throttled: string[];
  /** True when the time budget ran out before every key was done: the rest wait for a retry. */
  outOfTime: boolean;
}

/** KMS kept throttling past the SDK's retries: the key waits for a later attempt. */
export class Throttled extends Error {
  override readonly name = 'Throttled';
}

/** Writes a key's state as soon as it is known, so that no retry loses or misreads it. */
export type RecordFinding = (finding: Finding) => Promise<void>;

/** A call's value or its error; throttling that outlasted the SDK is thrown as Throttled. */
async function call<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await fn() };
  } catch (error) {
    if (isThrottling(error)) throw new Throttled();
    return { error };
  }
}

/** What EnableKeyRotation and the re-read after it came to. */
export interface EnableResult {
  /** Set when the key left scope (deleted, disabled...): the error KMS gave. */
  gone?: string;
  outcome: { status: 'REMEDIATED' | 'REMEDIATION_FAILED'; reason?: string };
  after?: RotationState;
}

/** EnableKeyRotation at the pacer's pace with the period asked for, then the re-read that confirms it. */
export async function enableAndVerify(kms: KMSClient, pacer: RatePacer, keyId: string, rotationPeriodInDays: number | undefined): Promise<EnableResult> {
  await pacer.take();
  const enabled = await call(() => kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: rotationPeriodInDays })));
  if (enabled.error && GONE.test(describeError(enabled.error))) {
    return { gone: describeError(enabled.error), outcome: { status: 'REMEDIATION_FAILED', reason: describeError(enabled.error) } };
  }
  const after = enabled.error ? undefined : (await call(() => readRotation(kms, keyId))).value;
  return { outcome: verifyRemediation(after, rotationPeriodInDays, enabled.error ? describeError(enabled.error) : undefined), after };
}

/** One key: read when its scan may no longer stand for it, enable when still needed (saying so first), re-read. */
async function remediateKey(kms: KMSClient, pacer: RatePacer, key: Finding, config: RemediationConfig, now: () => Date, record: RecordFinding): Promise<Finding> {
  const at = () => now().toISOString();
  const before = needsReadBeforeEnable(key, now()) ? await call(() => readRotation(kms, key.keyId)) : {};
  if (before.error && GONE.test(describeError(before.error))) {
    return { ...key, status: 'NOT_APPLICABLE', reason: `left scope before its wave: ${describeError(before.error)}`, remediatedAt: at() };
  }
  if (before.value?.enabled && key.enableRequestedAt) {
    // An earlier attempt of this run enabled it and stopped before writing the outcome.
    const outcome = verifyRemediation(before.value, config.rotationPeriodInDays);
    return { ...key, ...outcome, rotationEnabledAfter: true, rotationPeriodInDays: before.value.periodInDays, remediatedAt: at() };
  }
  if (before.value?.enabled) {
    // Someone turned it on since the scan: nothing to do, and nothing to count against the wave.
    return { ...key, status: 'COMPLIANT', reason: 'rotation was already on when its wave came', rotationEnabledAfter: true, rotationPeriodInDays: before.value.periodInDays, remediatedAt: at() };
  }

  await record({ ...key, enableRequestedAt: at() });
  const { gone, outcome, after: state } = await enableAndVerify(kms, pacer, key.keyId, config.rotationPeriodInDays);
  if (gone) return { ...key, status: 'NOT_APPLICABLE', reason: `left scope before its wave: ${gone}`, remediatedAt: at() };
  return {
    ...key,
    status: outcome.status,
    reason: outcome.reason,
    rotationEnabledAfter: state?.enabled ?? false,
    rotationPeriodInDays: state?.periodInDays ?? key.rotationPeriodInDays,
    remediatedAt: at(),
  };
}

/**
 * Remediates `keys` (one account's, not yet remediated), recording each key's outcome as soon as
 * it is known. A Region that keeps throttling stops, and every Region stops when `outOfTime()`
 * says so; a retry picks up exactly the rest and never enables a key twice.
 */
export async function remediateKeys(
  runId: string,
  accountId: string,
  keys: readonly Finding[],
  config: RemediationConfig,
  now: () => Date,
  record: RecordFinding,
  outOfTime: () => boolean = () => false,
): Promise<Remediation> {
  const result: Remediation = { findings: [], throttled: [], outOfTime: false };
  if (keys.length === 0) return result;
  const credentials = await credentialsFor({ accountId, roleName: config.roleName, externalId: config.externalId, sessionName: `kms-rotor-remediate-${runId}` });
  const byRegion = new Map<string, Finding[]>();
  for (const key of keys) byRegion.set(key.region, [...(byRegion.get(key.region) ?? []), key]);
  await Promise.all(
    [...byRegion].map(async ([region, regionKeys]) => {
      const kms = kmsClient(region, credentials);
      const pacer = new RatePacer(ENABLE_PER_SECOND);
      try {
        // One key at a time per Region: the pacer, not parallelism, sets the pace.
        for (const key of regionKeys) {
          if (outOfTime()) {
            result.outOfTime = true;
            return;
          }
          const outcome = await remediateKey(kms, pacer, { ...key }, config, now, record);
          await record(outcome);
          result.findings.push(outcome);
        }
      } catch (error) {
        if (!(error instanceof Throttled)) throw error;
        result.throttled.push(region);
      } finally {
        kms.destroy();
      }
    }),
  );
  result.throttled.sort();
  return result;
}
