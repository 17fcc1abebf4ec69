// Decides which keys the control covers and what status each key gets: pure, no AWS.
import type { ExceptionRecord, Finding, FindingStatus, KeyFacts } from './schemas';

export type KeyScope = { inScope: true } | { inScope: false; reason: string };

/** The key states in which a key can be in scope; any other state makes it NOT_APPLICABLE. */
const NOT_APPLICABLE_STATES: Record<string, string> = {
  Disabled: 'key is disabled',
  PendingDeletion: 'key is pending deletion',
  PendingImport: 'key is pending import of key material',
  PendingReplicaDeletion: 'replica key is pending deletion',
  Unavailable: 'key is unavailable (its custom key store is disconnected)',
  Creating: 'key is being created',
  Updating: 'key is being updated',
};

/**
 * A key is in scope when KeyManager = CUSTOMER, KeySpec = SYMMETRIC_DEFAULT, Origin = AWS_KMS,
 * KeyState = Enabled and it is not a multi-Region replica (rotation is set on the primary).
 * The reason names the first rule the key fails, most fundamental first.
 */
export function keyScope(facts: KeyFacts): KeyScope {
  if (facts.awsManagedByAlias || (facts.keyManager && facts.keyManager !== 'CUSTOMER')) {
    return { inScope: false, reason: 'AWS-managed key' };
  }
  const spec = facts.keySpec ?? 'SYMMETRIC_DEFAULT';
  if (spec.startsWith('HMAC_')) return { inScope: false, reason: `HMAC key (${spec})` };
  if (spec !== 'SYMMETRIC_DEFAULT') return { inScope: false, reason: `asymmetric key (${spec})` };
  const origin = facts.origin ?? 'AWS_KMS';
  if (origin === 'EXTERNAL') return { inScope: false, reason: 'imported key material (Origin EXTERNAL)' };
  if (origin === 'AWS_CLOUDHSM') {
    return { inScope: false, reason: `custom key store (CloudHSM${facts.customKeyStoreId ? ` ${facts.customKeyStoreId}` : ''})` };
  }
  if (origin === 'EXTERNAL_KEY_STORE') {
    return { inScope: false, reason: `external key store${facts.customKeyStoreId ? ` ${facts.customKeyStoreId}` : ''}` };
  }
  if (origin !== 'AWS_KMS') return { inScope: false, reason: `key origin ${origin}` };
  if (isReplica(facts)) {
    return { inScope: false, reason: `replica of ${facts.primaryKeyArn ?? 'a multi-Region primary key'}` };
  }
  const state = facts.keyState ?? 'Enabled';
  if (state !== 'Enabled') return { inScope: false, reason: NOT_APPLICABLE_STATES[state] ?? `key state ${state}` };
  return { inScope: true };
}

/**
 * A multi-Region key is a replica exactly when its ARN is not its primary's ARN: the same on AWS,
 * and robust on emulators that report a primary's type wrongly once a replica has been described.
 * The type is the answer only when the primary's ARN is missing.
 */
export function isReplica(facts: Pick<KeyFacts, 'keyArn' | 'multiRegion' | 'multiRegionKeyType' | 'primaryKeyArn'>): boolean {
  if (!facts.multiRegion) return false;
  if (facts.primaryKeyArn) return facts.primaryKeyArn !== facts.keyArn;
  return facts.multiRegionKeyType === 'REPLICA';
}

export interface RotationState {
  enabled: boolean;
  periodInDays?: number;
  /** When KMS rotates the key next (ISO time), as GetKeyRotationStatus says. */
  nextRotationDate?: string;
  /** When an on-demand rotation in progress started (ISO time). */
  onDemandRotationStartDate?: string;
}

export interface KeyVerdict {
  status: FindingStatus;
  reason?: string;
  rotationEnabledBefore: boolean | null;
  rotationPeriodInDays?: number;
}

/**
 * The scan-time status of one key. `rotation` is GetKeyRotationStatus's answer, asked only for
 * keys in scope. A rotating key is COMPLIANT whatever its exceptions; an active exception makes a
 * non-rotating in-scope key EXEMPT.
 */
export function classifyKey(facts: KeyFacts, rotation: RotationState | undefined, exception?: ExceptionRecord): KeyVerdict {
  const scope = keyScope(facts);
  if (!scope.inScope) {
    return { status: 'NOT_APPLICABLE', reason: scope.reason, rotationEnabledBefore: rotation?.enabled ?? null };
  }
  if (!rotation) throw new Error(`classifyKey: in-scope key ${facts.keyArn} needs its rotation status`);
  if (rotation.enabled) {
    return { status: 'COMPLIANT', rotationEnabledBefore: true, rotationPeriodInDays: rotation.periodInDays };
  }
  if (exception) {
    return {
      status: 'EXEMPT',
      reason: `exception by ${exception.owner} until ${exception.expiresAt}: ${exception.reason}`,
      rotationEnabledBefore: false,
    };
  }
  return { status: 'NON_COMPLIANT', reason: 'automatic rotation is disabled', rotationEnabledBefore: false };
}

/**
 * How long a scan's reading of a key stands for the key at its wave. Within it, remediation enables
 * without reading first: a key someone turns on inside this window is enabled again with the run's
 * period and recorded REMEDIATED (docs/architecture.md, "The read before EnableKeyRotation").
 */
export const FRESH_SCAN_MS = 5 * 60_000;

/**
 * Whether remediating `key` at `now` must read its rotation first: when an earlier attempt asked
 * to enable it (it may be on already, by us), or when its scan is older than FRESH_SCAN_MS (or
 * dated after `now`, which no clock of ours should give).
 */
export function needsReadBeforeEnable(key: Pick<Finding, 'scannedAt' | 'enableRequestedAt'>, now: Date): boolean {
  if (key.enableRequestedAt !== undefined) return true;
  const age = now.getTime() - Date.parse(key.scannedAt);
  return !(age >= 0 && age <= FRESH_SCAN_MS);
}

/**
 * The outcome of remediating one key, from the re-scan after EnableKeyRotation: REMEDIATED only
 * when rotation is confirmed on with the period asked for.
 */
export function verifyRemediation(
  after: RotationState | undefined,
  requestedPeriodInDays: number | undefined,
  enableError?: string,
): { status: 'REMEDIATED' | 'REMEDIATION_FAILED'; reason?: string } {
  if (enableError) return { status: 'REMEDIATION_FAILED', reason: enableError };
  if (!after) return { status: 'REMEDIATION_FAILED', reason: 're-scan could not read the rotation status' };
  if (!after.enabled) {
    return { status: 'REMEDIATION_FAILED', reason: 'EnableKeyRotation succeeded but the re-scan shows rotation still disabled' };
  }
  if (requestedPeriodInDays !== undefined && after.periodInDays !== undefined && after.periodInDays !== requestedPeriodInDays) {
    return {
      status: 'REMEDIATION_FAILED',
      reason: `re-scan shows a rotation period of ${after.periodInDays} days, not the ${requestedPeriodInDays} asked for`,
    };
  }
  return { status: 'REMEDIATED' };
}
