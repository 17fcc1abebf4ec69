// Turns rotation on for one account's keys of a wave, paced under the EnableKeyRotation quota
// (15/s per account and Region), then re-scans each key: only a confirmed key is REMEDIATED.
import { EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { verifyRemediation, type RotationState } from '../core/classify';
import type { Finding } from '../core/schemas';
import { describeError, isThrottling, kmsClient } from './clients';
import { credentialsFor } from './credentials';
import { readRotation } from './key-scanner';
import { RatePacer } from './pool';

/** Below the 15/s EnableKeyRotation quota, leaving room for other callers in the account. */
const ENABLE_PER_SECOND = 10;

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
}

/**
 * Remediates `keys` (one account's, not yet remediated). A Region that keeps throttling stops
 * early; the keys done so far are still returned, so a retry never enables a key twice.
 */
export async function remediateKeys(runId: string, accountId: string, keys: readonly Finding[], config: RemediationConfig, now: () => Date): Promise<Remediation> {
  if (keys.length === 0) return { findings: [], throttled: [] };
  const credentials = await credentialsFor({ accountId, roleName: config.roleName, externalId: config.externalId, sessionName: `kms-rotor-remediate-${runId}` });
  const byRegion = new Map<string, Finding[]>();
  for (const key of keys) byRegion.set(key.region, [...(byRegion.get(key.region) ?? []), key]);
  const findings: Finding[] = [];
  const throttled: string[] = [];
  await Promise.all(
    [...byRegion].map(async ([region, regionKeys]) => {
      const kms = kmsClient(region, credentials);
      const pacer = new RatePacer(ENABLE_PER_SECOND);
      try {
        // One key at a time per Region: the pacer, not parallelism, sets the pace.
        for (const key of regionKeys) {
          let enableError: string | undefined;
          let after: RotationState | undefined;
          try {
            await pacer.take();
            await kms.send(new EnableKeyRotationCommand({ KeyId: key.keyId, RotationPeriodInDays: config.rotationPeriodInDays }));
          } catch (error) {
            if (!isThrottling(error)) enableError = describeError(error);
            else return void throttled.push(region);
          }
          if (!enableError) {
            try {
              after = await readRotation(kms, key.keyId);
            } catch (error) {
              if (isThrottling(error)) return void throttled.push(region);
            }
          }
          const outcome = verifyRemediation(after, config.rotationPeriodInDays, enableError);
          findings.push({
            ...key,
            status: outcome.status,
            reason: outcome.reason,
            rotationEnabledAfter: after?.enabled ?? false,
            rotationPeriodInDays: after?.periodInDays ?? key.rotationPeriodInDays,
            remediatedAt: now().toISOString(),
          });
        }
      } finally {
        kms.destroy();
      }
    }),
  );
  return { findings, throttled: throttled.sort() };
}
