// Scans one account: assumes its member role, discovers its enabled Regions and scans the ones
// not yet done concurrently (bounded), turning every listed key into a finding and every Region
// or key that failed into an error record.
import { classifyKey } from '../core/classify';
import { exceptionFor } from '../core/exceptions';
import type { AccountTarget, ErrorRecord, ExceptionRecord, ExecutionInput, Finding } from '../core/schemas';
import { describeError, isThrottling } from './errors';
import { kmsClient } from './clients/kms';
import { partitionOf } from './partition';
import { callerIdentity, credentialsFor } from './credentials';
import { scanRegion } from './key-scanner';
import { mapWithConcurrency } from './pool';
import { enabledRegions, regionsToScan } from './regions';

/** Regions scanned at once per account: each runs its own bounded key calls. */
const REGION_CONCURRENCY = 4;

export interface AccountScan {
  findings: Finding[];
  errors: ErrorRecord[];
  /** Regions where throttling outlasted the SDK's retries: the account is retried for them. */
  throttled: string[];
  /** Regions scanned in full by this attempt (a retry need not scan them again). */
  completed: string[];
  /** The Regions the run scans in this account: enabled and asked for. */
  regions: string[];
  /** Every Region enabled in the account, of the credentials' partition (coverage sets the scanned ones against it). */
  enabled: string[];
}

export async function scanAccount(
  runId: string,
  account: AccountTarget,
  config: Pick<ExecutionInput, 'roleName' | 'regions'> & Partial<Pick<ExecutionInput, 'readKeyTags'>> & { externalId?: string },
  exceptions: readonly ExceptionRecord[],
  now: () => Date,
  alreadyScanned: ReadonlySet<string> = new Set(),
): Promise<AccountScan> {
  const credentials = await credentialsFor({
    accountId: account.accountId,
    roleName: config.roleName,
    externalId: config.externalId,
    sessionName: `kms-rotor-scan-${runId}`,
  });
  const { partition } = await callerIdentity();
  const enabled = await enabledRegions(credentials);
  const { scan, notEnabled, otherPartition } = regionsToScan(enabled, config.regions, partition);
  const notScannable = (region: string, error: string): ErrorRecord => ({ runId, accountId: account.accountId, region, phase: 'scan', error, at: now().toISOString() });
  const errors: ErrorRecord[] = [
    ...notEnabled.map((region) => notScannable(region, 'Region is not enabled in this account')),
    ...otherPartition.map((region) => notScannable(region, `Region of partition ${partitionOf(region)}, not ${partition} where these credentials are: it cannot be scanned with them`)),
  ];
  const findings: Finding[] = [];
  const throttled: string[] = [];
  const completed: string[] = [];
  await mapWithConcurrency(scan.filter((region) => !alreadyScanned.has(region)), REGION_CONCURRENCY, async (region) => {
    const kms = kmsClient(region, credentials);
    try {
      const scannedAt = now();
      for (const key of await scanRegion(kms, { readTags: config.readKeyTags })) {
        if (key.error) {
          errors.push({ runId, accountId: account.accountId, region, keyId: key.facts.keyId, keyArn: key.facts.keyArn, phase: 'scan', error: `key ${key.facts.keyArn}: ${key.error}`, at: now().toISOString() });
          continue;
        }
        const exception = exceptionFor(key.facts.keyArn, account.accountId, exceptions, scannedAt);
        const verdict = classifyKey(key.facts, key.rotation, exception);
        findings.push({
          runId,
          accountId: account.accountId,
          region,
          keyId: key.facts.keyId,
          keyArn: key.facts.keyArn,
          status: verdict.status,
          reason: verdict.reason,
          rotationEnabledBefore: verdict.rotationEnabledBefore,
          rotationPeriodInDays: verdict.rotationPeriodInDays,
          nextRotationDate: key.rotation?.nextRotationDate,
          onDemandRotationStartDate: key.rotation?.onDemandRotationStartDate,
          exception: verdict.status === 'EXEMPT' && exception ? { owner: exception.owner, reason: exception.reason, expiresAt: exception.expiresAt } : undefined,
          keySpec: key.facts.keySpec,
          keyManager: key.facts.keyManager,
          aliases: key.aliases.length > 0 ? key.aliases : undefined,
          tags: key.tags,
          scannedAt: scannedAt.toISOString(),
        });
      }
      completed.push(region);
    } catch (error) {
      if (isThrottling(error)) throttled.push(region);
      else errors.push({ runId, accountId: account.accountId, region, phase: 'scan', error: describeError(error), at: now().toISOString() });
    } finally {
      kms.destroy();
    }
  });
  return { findings, errors, throttled: throttled.sort(), completed: completed.sort(), regions: [...scan].sort(), enabled: enabled.filter((r) => partitionOf(r) === partition) };
}
