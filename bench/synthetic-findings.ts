// Synthetic findings of a large run, for the report benchmark and the HTML report's browser test:
// key i of an organization laid out as accounts of `keysPerAccount` keys spread evenly over its
// Regions, with the status (and wave) the caller chooses for it; every other field follows the status.
import type { Finding, FindingStatus } from '../functions/core/schemas';

export interface SyntheticRun {
  runId: string;
  regions: readonly string[];
  keysPerAccount: number;
  scannedAt: string;
  statusOf(i: number): FindingStatus;
  /** The wave of a key that was (or was to be) remediated. */
  waveOf(i: number, status: FindingStatus): number | undefined;
}

/** The account of key i: 100000000000, 100000000001, … */
export const syntheticAccountOf = (run: Pick<SyntheticRun, 'keysPerAccount'>, i: number): string => String(100000000000 + Math.floor(i / run.keysPerAccount));

export function syntheticFinding(run: SyntheticRun, i: number): Finding {
  const accountId = syntheticAccountOf(run, i);
  const region = run.regions[Math.floor((i % run.keysPerAccount) / (run.keysPerAccount / run.regions.length))];
  const keyId = `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const status = run.statusOf(i);
  return {
    runId: run.runId,
    accountId,
    region,
    keyId,
    keyArn: `arn:aws:kms:${region}:${accountId}:key/${keyId}`,
    status,
    reason: status === 'NOT_APPLICABLE' ? 'asymmetric key' : status === 'REMEDIATION_FAILED' ? 'AccessDeniedException: not authorized to perform kms:EnableKeyRotation' : undefined,
    rotationEnabledBefore: status === 'COMPLIANT',
    rotationEnabledAfter: status === 'REMEDIATED' ? true : status === 'REMEDIATION_FAILED' ? false : undefined,
    rotationPeriodInDays: status === 'COMPLIANT' || status === 'REMEDIATED' ? 365 : undefined,
    wave: run.waveOf(i, status),
    exception: status === 'EXEMPT' ? { owner: 'team-data', reason: 'vendor appliance', expiresAt: '2030-01-01' } : undefined,
    keyManager: 'CUSTOMER',
    aliases: i % 3 === 0 ? [`alias/app-${i}`] : undefined,
    scannedAt: run.scannedAt,
  };
}
