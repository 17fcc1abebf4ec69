// The one decision "does this declared KMS key need rotation, and does it have it?", shared by the
// template check (CloudFormation, Terraform) and the CDK Aspect. A key declared disabled
// (Enabled: false, is_enabled = false) is still judged, unlike in the live scan, where a disabled key
// is NOT_APPLICABLE: prevention is stricter on purpose, since a key enabled later keeps the rotation
// setting it was declared with. Its finding says so.
import { MAX_ROTATION_DAYS, MIN_ROTATION_DAYS, type FindingStatus } from '../functions/core/schemas';
import {
  describeConditions,
  intrinsicName,
  possibleValues,
  under,
  type ConditionChoice,
  type Outcome,
  type TemplateContext,
} from './intrinsic-values';
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
  enabled: string;
  rotation: string;
  rotationPeriod: string;
  pendingWindow: string;
}

const CLOUDFORMATION_KEY: PropertyNames = {
  keySpec: 'KeySpec',
  keyUsage: 'KeyUsage',
  origin: 'Origin',
  customKeyStore: [],
  enabled: 'Enabled',
  rotation: 'EnableKeyRotation',
  rotationPeriod: 'RotationPeriodInDays',
  pendingWindow: 'PendingWindowInDays',
};

const TERRAFORM_KEY: PropertyNames = {
  keySpec: 'customer_master_key_spec',
  keyUsage: 'key_usage',
  customKeyStore: ['custom_key_store_id', 'xks_key_id'],
  enabled: 'is_enabled',
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

function isFalse(value: unknown): boolean {
  return value === false || (typeof value === 'string' && value.trim().toLowerCase() === 'false');
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Every value a property of the key can take, by its name. */
type PropertyValues = (name: string) => Outcome[];

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
function outOfScopeReason(valuesOf: PropertyValues, names: PropertyNames): string | undefined {
  const specs = knownValues(valuesOf(names.keySpec));
  if (specs && specs.every((spec) => !isAbsent(spec) && String(spec) !== 'SYMMETRIC_DEFAULT')) {
    const spec = String(specs[0]);
    const kind = spec.startsWith('HMAC_') ? 'HMAC key' : 'asymmetric key';
    return `${kind} (${names.keySpec} ${spec}): automatic rotation does not apply`;
  }
  const usages = knownValues(valuesOf(names.keyUsage));
  if (usages && usages.every((usage) => !isAbsent(usage) && String(usage) !== 'ENCRYPT_DECRYPT')) {
    return `key usage ${String(usages[0])} (${names.keyUsage}) is not ENCRYPT_DECRYPT: automatic rotation does not apply`;
  }
  if (names.origin) {
    const origins = knownValues(valuesOf(names.origin));
    if (origins && origins.every((origin) => !isAbsent(origin) && String(origin) !== 'AWS_KMS')) {
      const origin = String(origins[0]);
      const what = origin === 'EXTERNAL' ? 'imported key material' : 'key material in a custom key store';
      return `${what} (${names.origin} ${origin}): automatic rotation does not apply`;
    }
  }
  for (const name of names.customKeyStore) {
    const stores = knownValues(valuesOf(name));
    if (stores && stores.every((store) => !isAbsent(store))) {
      return `key in a custom key store (${name} ${String(stores[0])}): automatic rotation does not apply`;
    }
  }
  return undefined;
}

/** Declared disabled whatever the branch: the key exists but is not enabled (yet). */
function isDisabledNow(valuesOf: PropertyValues, names: PropertyNames): boolean {
  const states = knownValues(valuesOf(names.enabled));
  return states !== undefined && states.length > 0 && states.every(isFalse);
}

const DISABLED_NOW = '; the key is disabled now, but would not rotate once enabled';

/**
 * Rotation off as written (or by default) is KMS_KEY_ROTATION_DISABLED. Rotation that whoever deploys
 * can turn off (a parameter that allows false, or takes any value) or that the check cannot know is
 * KMS_KEY_ROTATION_UNRESOLVED. One violation: the surest.
 */
function rotationViolation(valuesOf: PropertyValues, names: PropertyNames): Violation | undefined {
  const outcomes = valuesOf(names.rotation);
  for (const outcome of outcomes) {
    if (outcome.kind !== 'known' || outcome.allowedBy !== undefined || isTrue(outcome.value)) continue;
    const from = outcome.source ? ` (${outcome.source})` : '';
    const note = isDisabledNow(valuesOf, names) ? DISABLED_NOW : '';
    return { ruleId: 'KMS_KEY_ROTATION_DISABLED', message: `rotation is not enabled${describeConditions(outcome.conditions)}${from}${note}` };
  }
  for (const outcome of outcomes) {
    if (outcome.kind !== 'known' || outcome.allowedBy === undefined || isTrue(outcome.value)) continue;
    const setting = isFalse(outcome.value) ? 'false' : JSON.stringify(outcome.value);
    return {
      ruleId: 'KMS_KEY_ROTATION_UNRESOLVED',
      message: `rotation depends on parameter ${outcome.allowedBy}, which can be set to ${setting} at deploy time${describeConditions(outcome.conditions)}`,
    };
  }
  for (const outcome of outcomes) {
    if (outcome.kind !== 'unresolved') continue;
    const free = outcome.freeParameter;
    const dependsOn = free
      ? `parameter ${free.name}, which ${free.hasDefault ? '' : 'has no default and '}can be set to false at deploy time`
      : outcome.dependsOn;
    return { ruleId: 'KMS_KEY_ROTATION_UNRESOLVED', message: `rotation depends on ${dependsOn}${describeConditions(outcome.conditions)}` };
  }
  return undefined;
}

/** A whole number of days within [min, max] for every value the property can take; absent passes. */
function rangeViolations(valuesOf: PropertyValues, name: string, [min, max]: [number, number], ruleId: RuleId): Violation[] {
  const violations: Violation[] = [];
  for (const outcome of valuesOf(name)) {
    if (outcome.kind !== 'known' || isAbsent(outcome.value)) continue;
    const days = typeof outcome.value === 'string' ? Number(outcome.value.trim()) : outcome.value;
    if (typeof days === 'number' && Number.isInteger(days) && days >= min && days <= max) continue;
    const from = outcome.source ? ` (${outcome.source})` : '';
    const message = `${name} ${JSON.stringify(outcome.value)} is outside ${min}-${max} days${describeConditions(outcome.conditions)}${from}`;
    if (!violations.some((violation) => violation.message === message)) violations.push({ ruleId, message });
  }
  return violations;
}

/** One way the Properties block can turn out, with the conditions that lead to it. */
type PropertiesVariant =
  | { kind: 'properties'; properties: Readonly<Record<string, unknown>>; conditions: readonly ConditionChoice[] }
  | { kind: 'unresolved'; dependsOn: string; conditions: readonly ConditionChoice[] };

/** The block as written, or, when an intrinsic function (`Properties: !If [...]`) makes the whole
 * block, every block it can make: each judged whole, so that settings chosen together stay together. */
function propertiesVariants(properties: Readonly<Record<string, unknown>>, context: TemplateContext): PropertiesVariant[] {
  if (intrinsicName(properties) === undefined) return [{ kind: 'properties', properties, conditions: [] }];
  return possibleValues(properties, context).map((outcome): PropertiesVariant => {
    if (outcome.kind === 'unresolved') return outcome;
    if (outcome.value === undefined || outcome.value === null) return { kind: 'properties', properties: {}, conditions: outcome.conditions };
    if (typeof outcome.value === 'object' && !Array.isArray(outcome.value)) {
      return { kind: 'properties', properties: outcome.value as Record<string, unknown>, conditions: outcome.conditions };
    }
    return { kind: 'unresolved', dependsOn: 'a Properties value that is not a mapping', conditions: outcome.conditions };
  });
}

function decideProperties(
  properties: Readonly<Record<string, unknown>>,
  names: PropertyNames,
  context: TemplateContext,
  conditions: readonly ConditionChoice[],
): KeyVerdict {
  const valuesOf: PropertyValues = (name) => under(conditions, possibleValues(properties[name], context));
  const outOfScope = outOfScopeReason(valuesOf, names);
  if (outOfScope) return { status: 'NOT_APPLICABLE', reason: outOfScope, violations: [] };
  const violations: Violation[] = [];
  const rotation = rotationViolation(valuesOf, names);
  if (rotation) violations.push(rotation);
  violations.push(
    ...rangeViolations(valuesOf, names.rotationPeriod, [MIN_ROTATION_DAYS, MAX_ROTATION_DAYS], 'KMS_KEY_ROTATION_PERIOD_INVALID'),
    ...rangeViolations(valuesOf, names.pendingWindow, [MIN_PENDING_WINDOW_DAYS, MAX_PENDING_WINDOW_DAYS], 'KMS_KEY_PENDING_WINDOW_INVALID'),
  );
  if (violations.length > 0) return { status: 'NON_COMPLIANT', reason: violations[0].message, violations };
  return { status: 'COMPLIANT', reason: 'rotation is enabled', violations: [] };
}

/** NON_COMPLIANT with every distinct violation if any variant has one; NOT_APPLICABLE if every variant is
 * out of scope; else COMPLIANT. */
function combineVerdicts(verdicts: KeyVerdict[]): KeyVerdict {
  const violations: Violation[] = [];
  for (const violation of verdicts.flatMap((verdict) => verdict.violations)) {
    if (!violations.some((seen) => seen.ruleId === violation.ruleId && seen.message === violation.message)) violations.push(violation);
  }
  if (violations.length > 0) return { status: 'NON_COMPLIANT', reason: violations[0].message, violations };
  if (verdicts.every((verdict) => verdict.status === 'NOT_APPLICABLE')) return verdicts[0];
  return { status: 'COMPLIANT', reason: 'rotation is enabled', violations: [] };
}

/**
 * The verdict on one declared key: NOT_APPLICABLE (replica, imported material, asymmetric, HMAC...)
 * with the reason; else NON_COMPLIANT with every violation (rotation off or undecidable, a rotation
 * period or deletion window out of range); else COMPLIANT. `context` resolves the parameters and
 * mappings that intrinsic functions in the properties (or making the whole block) refer to.
 */
export function decideKeyRotation(key: KeyDeclaration, context: TemplateContext = {}): KeyVerdict {
  const byType = KEYS_WITHOUT_ROTATION[key.resourceType];
  if (byType) return { status: 'NOT_APPLICABLE', reason: byType, violations: [] };
  const names = KEYS_WITH_ROTATION[key.resourceType];
  if (!names) {
    return { status: 'NOT_APPLICABLE', reason: `${key.resourceType} is not a KMS key resource`, violations: [] };
  }
  const verdicts = propertiesVariants(key.properties, context).map((variant): KeyVerdict => {
    if (variant.kind === 'properties') return decideProperties(variant.properties, names, context, variant.conditions);
    const message = `rotation depends on ${variant.dependsOn}${describeConditions(variant.conditions)}`;
    return { status: 'NON_COMPLIANT', reason: message, violations: [{ ruleId: 'KMS_KEY_ROTATION_UNRESOLVED', message }] };
  });
  return combineVerdicts(verdicts);
}
