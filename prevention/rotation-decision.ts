// The one decision "does this declared KMS key need rotation, and does it have it?", shared by the
// template check (CloudFormation, Terraform) and the CDK Aspect.
import { MAX_ROTATION_DAYS, MIN_ROTATION_DAYS, type FindingStatus } from '../functions/core/schemas';
import { describeConditions, possibleValues, type Outcome, type TemplateContext } from './intrinsic-values';
import { MAX_PENDING_WINDOW_DAYS, MIN_PENDING_WINDOW_DAYS, type RuleId } from './rules';

/** A key resource as written: its type and its properties (CloudFormation names for CloudFormation
 * types, Terraform attribute names for Terraform types). */
export interface KeyDeclaration {
  resourceType: string;
  properties: Readonly<Record<string, unknown>>;
}

/** A key resource and the name it goes by in its file (a logical id, or a Terraform address). */
export interface DeclaredKey extends KeyDeclaration {
  id: string;
}

export interface Violation {
  ruleId: RuleId;
  message: string;
}

export type KeyStatus = Extract<FindingStatus, 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE'>;

export interface KeyVerdict {
  status: KeyStatus;
  /** Why: the first violation, why the key is out of scope, or that rotation is on. */
  reason: string;
  violations: Violation[];
}

/** Where each setting lives in each language. */
interface PropertyNames {
  keySpec: string;
  keyUsage: string;
  origin?: string;
  customKeyStore: string[];
  rotation: string;
  rotationPeriod: string;
  pendingWindow: string;
}

const CLOUDFORMATION_KEY: PropertyNames = {
  keySpec: 'KeySpec',
  keyUsage: 'KeyUsage',
  origin: 'Origin',
  customKeyStore: [],
  rotation: 'EnableKeyRotation',
  rotationPeriod: 'RotationPeriodInDays',
  pendingWindow: 'PendingWindowInDays',
};

const TERRAFORM_KEY: PropertyNames = {
  keySpec: 'customer_master_key_spec',
  keyUsage: 'key_usage',
  customKeyStore: ['custom_key_store_id', 'xks_key_id'],
  rotation: 'enable_key_rotation',
  rotationPeriod: 'rotation_period_in_days',
  pendingWindow: 'deletion_window_in_days',
};

/** Key types whose rotation is decided from their properties. */
const KEYS_WITH_ROTATION: Readonly<Record<string, PropertyNames>> = {
  'AWS::KMS::Key': CLOUDFORMATION_KEY,
  aws_kms_key: TERRAFORM_KEY,
};

/** Key types out of scope by their type alone, and why. */
const KEYS_WITHOUT_ROTATION: Readonly<Record<string, string>> = {
  'AWS::KMS::ReplicaKey': 'multi-Region replica key: rotation is set on its primary key',
  aws_kms_replica_key: 'multi-Region replica key: rotation is set on its primary key',
  aws_kms_replica_external_key: 'multi-Region replica key with imported key material: automatic rotation does not apply',
  aws_kms_external_key: 'imported key material (aws_kms_external_key): automatic rotation does not apply',
};

/** The resource types the check looks at: every KMS key resource of CloudFormation and Terraform. */
export const KEY_RESOURCE_TYPES: readonly string[] = [
  ...Object.keys(KEYS_WITH_ROTATION),
  ...Object.keys(KEYS_WITHOUT_ROTATION),
];

export function isKeyResourceType(type: unknown): type is string {
  return typeof type === 'string' && KEY_RESOURCE_TYPES.includes(type);
}

function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** The values a property surely takes, or undefined when any branch is unresolved. */
function knownValues(outcomes: Outcome[]): unknown[] | undefined {
  const values: unknown[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind !== 'known') return undefined;
    values.push(outcome.value);
  }
  return values;
}

/** Out of scope only when every value the property can take says so; a doubt keeps the key in scope. */
function outOfScopeReason(properties: Readonly<Record<string, unknown>>, names: PropertyNames, context: TemplateContext): string | undefined {
  const specs = knownValues(possibleValues(properties[names.keySpec], context));
  if (specs && specs.every((spec) => !isAbsent(spec) && String(spec) !== 'SYMMETRIC_DEFAULT')) {
    const spec = String(specs[0]);
    const kind = spec.startsWith('HMAC_') ? 'HMAC key' : 'asymmetric key';
    return `${kind} (${names.keySpec} ${spec}): automatic rotation does not apply`;
  }
  const usages = knownValues(possibleValues(properties[names.keyUsage], context));
  if (usages && usages.every((usage) => !isAbsent(usage) && String(usage) !== 'ENCRYPT_DECRYPT')) {
    return `key usage ${String(usages[0])} (${names.keyUsage}) is not ENCRYPT_DECRYPT: automatic rotation does not apply`;
  }
  if (names.origin) {
    const origins = knownValues(possibleValues(properties[names.origin], context));
    if (origins && origins.every((origin) => !isAbsent(origin) && String(origin) !== 'AWS_KMS')) {
      const origin = String(origins[0]);
      const what = origin === 'EXTERNAL' ? 'imported key material' : 'key material in a custom key store';
      return `${what} (${names.origin} ${origin}): automatic rotation does not apply`;
    }
  }
  for (const name of names.customKeyStore) {
    const stores = knownValues(possibleValues(properties[name], context));
    if (stores && stores.every((store) => !isAbsent(store))) {
      return `key in a custom key store (${name} ${String(stores[0])}): automatic rotation does not apply`;
    }
  }
  return undefined;
}

function rotationViolation(
  properties: Readonly<Record<string, unknown>>,
  names: PropertyNames,
  context: TemplateContext,
): Violation | undefined {
  const outcomes = possibleValues(properties[names.rotation], context);
  const off = outcomes.find((outcome) => outcome.kind === 'known' && !isTrue(outcome.value));
  if (off && off.kind === 'known') {
    const from = off.source ? ` (${off.source})` : '';
    return { ruleId: 'KMS_KEY_ROTATION_DISABLED', message: `rotation is not enabled${describeConditions(off.conditions)}${from}` };
  }
  const open = outcomes.find((outcome) => outcome.kind === 'unresolved');
  if (open && open.kind === 'unresolved') {
    return {
      ruleId: 'KMS_KEY_ROTATION_UNRESOLVED',
      message: `rotation depends on ${open.dependsOn}${describeConditions(open.conditions)}`,
    };
  }
  return undefined;
}

/** A whole number of days within [min, max] for every value the property can take; absent passes. */
function rangeViolations(
  properties: Readonly<Record<string, unknown>>,
  name: string,
  [min, max]: [number, number],
  ruleId: RuleId,
  context: TemplateContext,
): Violation[] {
  const violations: Violation[] = [];
  for (const outcome of possibleValues(properties[name], context)) {
    if (outcome.kind !== 'known' || isAbsent(outcome.value)) continue;
    const days = typeof outcome.value === 'string' ? Number(outcome.value.trim()) : outcome.value;
    if (typeof days === 'number' && Number.isInteger(days) && days >= min && days <= max) continue;
    const message = `${name} ${JSON.stringify(outcome.value)} is outside ${min}-${max} days${describeConditions(outcome.conditions)}`;
    if (!violations.some((violation) => violation.message === message)) violations.push({ ruleId, message });
  }
  return violations;
}

/**
 * The verdict on one declared key: NOT_APPLICABLE (replica, imported material, asymmetric, HMAC...)
 * with the reason; else NON_COMPLIANT with every violation (rotation off or undecidable, a rotation
 * period or deletion window out of range); else COMPLIANT. `context` resolves the parameters and
 * mappings that intrinsic functions in the properties refer to.
 */
export function decideKeyRotation(key: KeyDeclaration, context: TemplateContext = {}): KeyVerdict {
  const byType = KEYS_WITHOUT_ROTATION[key.resourceType];
  if (byType) return { status: 'NOT_APPLICABLE', reason: byType, violations: [] };
  const names = KEYS_WITH_ROTATION[key.resourceType];
  if (!names) {
    return { status: 'NOT_APPLICABLE', reason: `${key.resourceType} is not a KMS key resource`, violations: [] };
  }
  const properties = key.properties;
  const outOfScope = outOfScopeReason(properties, names, context);
  if (outOfScope) return { status: 'NOT_APPLICABLE', reason: outOfScope, violations: [] };
  const violations: Violation[] = [];
  const rotation = rotationViolation(properties, names, context);
  if (rotation) violations.push(rotation);
  violations.push(
    ...rangeViolations(properties, names.rotationPeriod, [MIN_ROTATION_DAYS, MAX_ROTATION_DAYS], 'KMS_KEY_ROTATION_PERIOD_INVALID', context),
    ...rangeViolations(properties, names.pendingWindow, [MIN_PENDING_WINDOW_DAYS, MAX_PENDING_WINDOW_DAYS], 'KMS_KEY_PENDING_WINDOW_INVALID', context),
  );
  if (violations.length > 0) return { status: 'NON_COMPLIANT', reason: violations[0].message, violations };
  return { status: 'COMPLIANT', reason: 'rotation is enabled', violations: [] };
}
