// Scenario files of the simulated organization: the readable JSON form (keys given by `kind`),
// its validation with errors naming the bad field, and its expansion into the full form the
// simulator runs on (every key with complete metadata and a stable id).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FAULT_TYPES, type Fault } from './faults';
import {
  MRK_PATTERN, stableCustomKeyStoreId, stableKeyChars,
  stableMultiRegionKeyId, stableSecret, stableUuid, UUID_PATTERN,
} from './ids';
import { isKnownRegion } from './regions';

export const KEY_KINDS = [
  'rotating', 'not-rotating', 'asymmetric-rsa', 'asymmetric-ecc', 'hmac', 'imported', 'pending-import',
  'cloudhsm', 'external-key-store', 'disabled', 'pending-deletion', 'multi-region-primary',
  'multi-region-replica', 'aws-managed',
] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export const KEY_STATES = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'PendingReplicaDeletion', 'Unavailable', 'Creating', 'Updating'] as const;
export type KeyState = (typeof KEY_STATES)[number];
export const KEY_SPECS = [
  'SYMMETRIC_DEFAULT', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521',
  'ECC_SECG_P256K1', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2',
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];
export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];
export const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
export type Origin = (typeof ORIGINS)[number];
export const KEY_MANAGERS = ['CUSTOMER', 'AWS'] as const;
export type KeyManager = (typeof KEY_MANAGERS)[number];
export const ACCOUNT_STATES = ['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED', 'PENDING_ACTIVATION'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

export const DEFAULT_ROTATION_PERIOD_DAYS = 365;
const DEFAULT_CREATION_BASE = Date.parse('2024-01-08T09:30:00Z');

// ---------------------------------------------------------------------------------------------
// Input form (what a scenario file holds)

export interface RoleInput {
  name: string;
  /** When set, AssumeRole must pass this ExternalId. */
  externalId?: string;
  /** Accounts whose principals the role trusts besides the management account (always trusted). */
  trustedAccounts?: string[];
}

export interface KeyInput {
  kind?: KeyKind;
  region: string;
  keyId?: string;
  /** One alias name or several (`alias/...`). */
  alias?: string | string[];
  description?: string;
  tags?: Record<string, string>;
  rotation?: boolean;
  rotationPeriodInDays?: number;
  keyState?: KeyState;
  keySpec?: KeySpec;
  keyUsage?: KeyUsage;
  origin?: Origin;
  keyManager?: KeyManager;
  customKeyStoreId?: string;
  creationDate?: string;
  pendingWindowInDays?: number;
  /** Multi-Region primary: Regions (same account) that hold a replica. */
  replicaRegions?: string[];
  /** Multi-Region replica: the primary's Region (the primary must be in this account). */
  primaryRegion?: string;
  multiRegion?: boolean;
  /** AWS-managed key: the service whose `alias/aws/<service>` it is. */
  service?: string;
}

export interface AliasInput {
  name: string;
  region: string;
  targetKeyId?: string;
}

export interface AccountInput {
  id: string;
  name?: string;
  email?: string;
  state?: AccountState;
  /** Parent OU id, or the root id (default). */
  parent?: string;
  tags?: Record<string, string>;
  /** Enabled Regions; default: the scenario's defaultRegions. */
  regions?: string[];
  /** Roles present; default: the scenario's defaultRoles. `[]` means no role at all. */
  roles?: RoleInput[];
  keys?: KeyInput[];
  /** Extra aliases, e.g. predefined `alias/aws/...` aliases that point at no key yet. */
  aliases?: AliasInput[];
  joinedMethod?: 'CREATED' | 'INVITED';
  joinedTimestamp?: string;
}

export interface OrganizationalUnitInput {
  id: string;
  name: string;
  /** Parent OU id, or the root id (default). */
  parent?: string;
  tags?: Record<string, string>;
}

export interface AccessKeyInput {
  accessKeyId: string;
  secretAccessKey?: string;
  accountId: string;
  userName?: string;
}

export interface ScenarioInput {
  name?: string;
  description?: string;
  organizationId?: string;
  rootId?: string;
  managementAccountId: string;
  managementCredentials?: { accessKeyId: string; secretAccessKey: string; userName?: string };
  /** Further long-term access keys (non-ASIA) mapped to accounts. */
  accessKeys?: AccessKeyInput[];
  delegatedAdministrators?: string[];
  defaultRegions?: string[];
  defaultRoles?: RoleInput[];
  organizationalUnits?: OrganizationalUnitInput[];
  accounts: AccountInput[];
  faults?: Fault[];
}

// ---------------------------------------------------------------------------------------------
// Full form (what the simulator runs on). It is itself a valid input: loading it again is a no-op.

export interface ScenarioKey {
  keyId: string;
  region: string;
  aliases: string[];
  description: string;
  tags: Record<string, string>;
  rotation: boolean;
  rotationPeriodInDays: number;
  keyState: KeyState;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  origin: Origin;
  keyManager: KeyManager;
  customKeyStoreId?: string;
  creationDate: string;
  pendingWindowInDays?: number;
  multiRegion: boolean;
  replicaRegions?: string[];
  primaryRegion?: string;
}

export interface ScenarioRole {
  name: string;
  externalId?: string;
  trustedAccounts: string[];
}

export interface ScenarioAlias {
  name: string;
  region: string;
  targetKeyId?: string;
}

/** What every view of an account has: the scenario's, the live state's, the tests'. */
export interface AccountFields {
  id: string;
  name: string;
  email: string;
  state: AccountState;
  parent: string;
  tags: Record<string, string>;
  regions: string[];
}

export interface ScenarioAccount extends AccountFields {
  roles: ScenarioRole[];
  keys: ScenarioKey[];
  aliases: ScenarioAlias[];
  joinedMethod: 'CREATED' | 'INVITED';
  joinedTimestamp: string;
}

export interface ScenarioOrganizationalUnit {
  id: string;
  name: string;
  parent: string;
  tags: Record<string, string>;
}

export interface ScenarioAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  userName: string;
}

export interface Scenario {
  name: string;
  description?: string;
  organizationId: string;
  rootId: string;
  managementAccountId: string;
  managementCredentials: { accessKeyId: string; secretAccessKey: string; userName: string };
  accessKeys: ScenarioAccessKey[];
  delegatedAdministrators: string[];
  defaultRegions: string[];
  defaultRoles: ScenarioRole[];
  organizationalUnits: ScenarioOrganizationalUnit[];
  accounts: ScenarioAccount[];
  faults: Fault[];
}

export class ScenarioError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'ScenarioError';
  }
}

// ---------------------------------------------------------------------------------------------
// Validation helpers

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(field: string, problem: string): never {
  throw new ScenarioError(field, problem);
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

function checkKeys(obj: Json, field: string, allowed: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) fail(`${field}.${k}`, `unknown field (expected one of ${allowed.join(', ')})`);
  }
}

function str(obj: Json, key: string, field: string, opts: { required?: boolean; pattern?: RegExp; hint?: string } = {}): string | undefined {
  const v = obj[key];
  if (v === undefined) {
    if (opts.required) fail(`${field}.${key}`, 'is required');
    return undefined;
  }
  if (typeof v !== 'string' || v.length === 0) fail(`${field}.${key}`, `must be a non-empty string, got ${show(v)}`);
  if (opts.pattern && !opts.pattern.test(v)) fail(`${field}.${key}`, `${show(v)} is not ${opts.hint ?? `of the form ${opts.pattern}`}`);
  return v;
}

function oneOf<T extends string>(obj: Json, key: string, field: string, values: readonly T[]): T | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    fail(`${field}.${key}`, `${show(v)} is not one of ${values.join(', ')}`);
  }
  return v as T;
}

function bool(obj: Json, key: string, field: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(`${field}.${key}`, `must be true or false, got ${show(v)}`);
  return v;
}

function int(obj: Json, key: string, field: string, min: number, max: number): number | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(`${field}.${key}`, `must be an integer from ${min} to ${max}, got ${show(v)}`);
  }
  return v;
}

function list(obj: Json, key: string, field: string): unknown[] | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) fail(`${field}.${key}`, `must be a list, got ${show(v)}`);
  return v;
}

function stringList(obj: Json, key: string, field: string, pattern?: RegExp, hint?: string): string[] | undefined {
  const items = list(obj, key, field);
  if (!items) return undefined;
  return items.map((item, i) => {
    if (typeof item !== 'string' || item.length === 0) fail(`${field}.${key}[${i}]`, `must be a non-empty string, got ${show(item)}`);
    if (pattern && !pattern.test(item)) fail(`${field}.${key}[${i}]`, `${show(item)} is not ${hint ?? `of the form ${pattern}`}`);
    return item;
  });
}

function tags(obj: Json, key: string, field: string): Record<string, string> {
  const v = obj[key];
  if (v === undefined) return {};
  if (!isObject(v)) fail(`${field}.${key}`, `must be an object of string values, got ${show(v)}`);
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') fail(`${field}.${key}.${k}`, `must be a string, got ${show(value)}`);
  }
  return { ...(v as Record<string, string>) };
}

function isoDate(obj: Json, key: string, field: string): string | undefined {
  const v = str(obj, key, field);
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) fail(`${field}.${key}`, `${show(v)} is not an ISO 8601 date`);
  return new Date(t).toISOString();
}

const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

// ---------------------------------------------------------------------------------------------
// Keys

interface KindDefaults {
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  origin: Origin;
  keyManager: KeyManager;
  keyState: KeyState;
  rotation: boolean;
  multiRegion: boolean;
  description: string;
}

function kindDefaults(kind: KeyKind): KindDefaults {
  const base: KindDefaults = {
    keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyManager: 'CUSTOMER',
    keyState: 'Enabled', rotation: false, multiRegion: false, description: '',
  };
  switch (kind) {
    case 'rotating': return { ...base, rotation: true, description: 'Application data key (rotation on)' };
    case 'not-rotating': return { ...base, description: 'Application data key (rotation off)' };
    case 'asymmetric-rsa': return { ...base, keySpec: 'RSA_2048', description: 'RSA 2048 encryption key' };
    case 'asymmetric-ecc': return { ...base, keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', description: 'ECC P-256 signing key' };
    case 'hmac': return { ...base, keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', description: 'HMAC 256 key' };
    case 'imported': return { ...base, origin: 'EXTERNAL', description: 'Key with imported key material' };
    case 'pending-import': return { ...base, origin: 'EXTERNAL', keyState: 'PendingImport', description: 'Key waiting for imported key material' };
    case 'cloudhsm': return { ...base, origin: 'AWS_CLOUDHSM', description: 'Key in a CloudHSM key store' };
    case 'external-key-store': return { ...base, origin: 'EXTERNAL_KEY_STORE', description: 'Key in an external key store' };
    case 'disabled': return { ...base, keyState: 'Disabled', description: 'Disabled application key' };
    case 'pending-deletion': return { ...base, keyState: 'PendingDeletion', description: 'Key scheduled for deletion' };
    case 'multi-region-primary': return { ...base, multiRegion: true, description: 'Multi-Region primary key' };
    case 'multi-region-replica': return { ...base, multiRegion: true, description: 'Multi-Region replica key' };
    case 'aws-managed': return { ...base, keyManager: 'AWS', rotation: true, description: '' };
  }
}

const KEY_FIELDS = [
  'kind', 'region', 'keyId', 'alias', 'aliases', 'description', 'tags', 'rotation', 'rotationPeriodInDays', 'keyState',
  'keySpec', 'keyUsage', 'origin', 'keyManager', 'customKeyStoreId', 'creationDate', 'pendingWindowInDays',
  'replicaRegions', 'primaryRegion', 'multiRegion', 'service',
] as const;

/** Which key usages a key spec allows (as KMS CreateKey does). */
export function usagesForSpec(spec: KeySpec): KeyUsage[] {
  if (spec === 'SYMMETRIC_DEFAULT') return ['ENCRYPT_DECRYPT'];
  if (spec.startsWith('HMAC_')) return ['GENERATE_VERIFY_MAC'];
  if (spec.startsWith('RSA_')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec === 'SM2') return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'];
  return ['SIGN_VERIFY', 'KEY_AGREEMENT'];
}

interface KeyContext {
  accountId: string;
  regions: string[];
  index: number;
}

/** Expands one key of the input form into the full form (replicas are expanded later). */
export function normalizeKey(raw: unknown, field: string, ctx: KeyContext): ScenarioKey {
  if (!isObject(raw)) fail(field, `must be an object, got ${show(raw)}`);
  checkKeys(raw, field, KEY_FIELDS);
  const kind = oneOf(raw, 'kind', field, KEY_KINDS);
  const region = str(raw, 'region', field, { required: true })!;
  if (!ctx.regions.includes(region)) fail(`${field}.region`, `${show(region)} is not an enabled Region of account ${ctx.accountId} (${ctx.regions.join(', ')})`);
  const d = kindDefaults(kind ?? 'not-rotating');
  const keyManager = oneOf(raw, 'keyManager', field, KEY_MANAGERS) ?? d.keyManager;
  const keySpec = oneOf(raw, 'keySpec', field, KEY_SPECS) ?? d.keySpec;
  const keyUsage = oneOf(raw, 'keyUsage', field, KEY_USAGES) ?? (raw.keySpec !== undefined ? usagesForSpec(keySpec)[0] : d.keyUsage);
  if (!usagesForSpec(keySpec).includes(keyUsage)) fail(`${field}.keyUsage`, `${keyUsage} is not valid for key spec ${keySpec}`);
  const origin = oneOf(raw, 'origin', field, ORIGINS) ?? d.origin;
  const keyState = oneOf(raw, 'keyState', field, KEY_STATES) ?? d.keyState;
  if (keyState === 'PendingImport' && origin !== 'EXTERNAL') fail(`${field}.keyState`, 'PendingImport needs origin EXTERNAL');
  if (origin !== 'AWS_KMS' && keySpec !== 'SYMMETRIC_DEFAULT') fail(`${field}.origin`, `${origin} keys must be SYMMETRIC_DEFAULT`);
  const multiRegion = bool(raw, 'multiRegion', field) ?? (raw.replicaRegions !== undefined || raw.primaryRegion !== undefined || d.multiRegion);
  const primaryRegion = str(raw, 'primaryRegion', field);
  if (kind === 'multi-region-replica' && !primaryRegion) fail(`${field}.primaryRegion`, 'is required for a multi-Region replica');
  if (primaryRegion !== undefined) {
    if (!ctx.regions.includes(primaryRegion)) fail(`${field}.primaryRegion`, `${show(primaryRegion)} is not an enabled Region of account ${ctx.accountId}`);
    if (primaryRegion === region) fail(`${field}.primaryRegion`, 'must differ from the replica\'s own Region');
  }
  const replicaRegions = stringList(raw, 'replicaRegions', field);
  replicaRegions?.forEach((r, i) => {
    if (!ctx.regions.includes(r)) fail(`${field}.replicaRegions[${i}]`, `${show(r)} is not an enabled Region of account ${ctx.accountId}`);
    if (r === region) fail(`${field}.replicaRegions[${i}]`, 'must differ from the primary\'s own Region');
  });
  if (replicaRegions && primaryRegion) fail(`${field}.replicaRegions`, 'a replica cannot have replicas');
  if (multiRegion && origin !== 'AWS_KMS' && origin !== 'EXTERNAL') fail(`${field}.multiRegion`, `keys in a custom key store (${origin}) cannot be multi-Region`);

  const seed = `${ctx.accountId}/${primaryRegion ?? region}/${ctx.index}`;
  let keyId = str(raw, 'keyId', field);
  if (keyId === undefined) {
    keyId = multiRegion ? stableMultiRegionKeyId(seed) : stableUuid(seed);
  } else if (multiRegion ? !MRK_PATTERN.test(keyId) : !UUID_PATTERN.test(keyId)) {
    fail(`${field}.keyId`, multiRegion ? `${show(keyId)} is not a multi-Region key id (mrk- and 32 hex digits)` : `${show(keyId)} is not a key id (a lower-case UUID)`);
  }

  let aliases: string[] = [];
  if (raw.alias !== undefined && raw.aliases !== undefined) fail(`${field}.aliases`, 'give alias or aliases, not both');
  if (typeof raw.alias === 'string') aliases = [raw.alias];
  else if (raw.alias !== undefined) aliases = stringList(raw, 'alias', field) ?? [];
  else aliases = stringList(raw, 'aliases', field) ?? [];
  const service = str(raw, 'service', field, { pattern: /^[a-z0-9-]+$/, hint: 'a service name like s3 or ebs' });
  if (keyManager === 'AWS') {
    if (service && !aliases.includes(`alias/aws/${service}`)) aliases = [`alias/aws/${service}`, ...aliases];
    if (!aliases.some((a) => a.startsWith('alias/aws/'))) fail(`${field}.service`, 'an AWS-managed key needs a service (its alias/aws/<service> alias)');
  } else if (service !== undefined) {
    fail(`${field}.service`, 'only AWS-managed keys have a service');
  }
  aliases.forEach((a, i) => {
    if (!ALIAS_NAME.test(a)) fail(`${field}.alias${aliases.length > 1 ? `[${i}]` : ''}`, `${show(a)} is not an alias name (alias/...)`);
    if (a.startsWith('alias/aws/') && keyManager !== 'AWS') fail(`${field}.alias`, `${show(a)}: alias/aws/ is reserved for AWS-managed keys`);
  });
  const awsService = aliases.find((a) => a.startsWith('alias/aws/'))?.slice('alias/aws/'.length);

  const rotationPeriodInDays = int(raw, 'rotationPeriodInDays', field, 90, 2560) ?? DEFAULT_ROTATION_PERIOD_DAYS;
  const rotation = bool(raw, 'rotation', field) ?? (raw.rotationPeriodInDays !== undefined ? true : d.rotation);
  if (keyManager === 'AWS' && !rotation) fail(`${field}.rotation`, 'AWS-managed keys always rotate');

  let customKeyStoreId = str(raw, 'customKeyStoreId', field, { pattern: /^cks-[0-9a-z]{17}$/, hint: 'a custom key store id (cks- and 17 characters)' });
  if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE') {
    customKeyStoreId ??= stableCustomKeyStoreId(`${ctx.accountId}/${region}/${origin}`);
  } else if (customKeyStoreId !== undefined) {
    fail(`${field}.customKeyStoreId`, `only AWS_CLOUDHSM and EXTERNAL_KEY_STORE keys live in a custom key store (origin is ${origin})`);
  }
  const pendingWindowInDays = int(raw, 'pendingWindowInDays', field, 7, 30);
  const creationDate = isoDate(raw, 'creationDate', field) ?? new Date(DEFAULT_CREATION_BASE + ctx.index * 86_400_000 * 3).toISOString();
  const description = typeof raw.description === 'string' ? raw.description
    : keyManager === 'AWS' ? `Default key that protects my ${awsService ?? 'AWS'} resources when no other key is defined`
      : d.description;

  const key: ScenarioKey = {
    keyId, region, aliases, description, tags: tags(raw, 'tags', field), rotation, rotationPeriodInDays,
    keyState, keySpec, keyUsage, origin, keyManager, creationDate, multiRegion,
  };
  if (customKeyStoreId) key.customKeyStoreId = customKeyStoreId;
  if (keyState === 'PendingDeletion') key.pendingWindowInDays = pendingWindowInDays ?? 30;
  if (replicaRegions) key.replicaRegions = replicaRegions;
  if (primaryRegion) key.primaryRegion = primaryRegion;
  return key;
}

/** Adds the replicas of every multi-Region primary that are not already listed. */
function expandReplicas(keys: ScenarioKey[]): ScenarioKey[] {
  const out = [...keys];
  for (const key of keys) {
    for (const region of key.replicaRegions ?? []) {
      if (out.some((k) => k.keyId === key.keyId && k.region === region)) continue;
      out.push({
        ...key, region, aliases: [], replicaRegions: undefined, primaryRegion: key.region,
        description: key.description ? `${key.description} (replica)` : 'Multi-Region replica key',
      });
      delete out[out.length - 1].replicaRegions;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scenario

function normalizeRole(raw: unknown, field: string, managementAccountId: string): ScenarioRole {
  if (!isObject(raw)) fail(field, `must be an object, got ${show(raw)}`);
  checkKeys(raw, field, ['name', 'externalId', 'trustedAccounts']);
  const name = str(raw, 'name', field, { required: true, pattern: ROLE_NAME, hint: 'a role name' })!;
  const externalId = str(raw, 'externalId', field);
  const trustedAccounts = stringList(raw, 'trustedAccounts', field, ACCOUNT_ID, 'a 12-digit account id') ?? [managementAccountId];
  return externalId === undefined ? { name, trustedAccounts } : { name, externalId, trustedAccounts };
}

const SCENARIO_FIELDS = [
  'name', 'description', 'organizationId', 'rootId', 'managementAccountId', 'managementCredentials', 'accessKeys',
  'delegatedAdministrators', 'defaultRegions', 'defaultRoles', 'organizationalUnits', 'accounts', 'faults',
] as const;
const ACCOUNT_FIELDS = ['id', 'name', 'email', 'state', 'parent', 'tags', 'regions', 'roles', 'keys', 'aliases', 'joinedMethod', 'joinedTimestamp'] as const;

/** Validates a scenario in the input form and expands it to the full form. */
export function normalizeScenario(raw: unknown, field = 'scenario'): Scenario {
  if (!isObject(raw)) fail(field, `must be an object, got ${show(raw)}`);
  checkKeys(raw, field, SCENARIO_FIELDS);
  const managementAccountId = str(raw, 'managementAccountId', field, { required: true, pattern: ACCOUNT_ID, hint: 'a 12-digit account id' })!;
  const organizationId = str(raw, 'organizationId', field, { pattern: ORG_ID, hint: 'an organization id (o- and 10-32 characters)' })
    ?? `o-${stableKeyChars(`org/${managementAccountId}`, 10).toLowerCase()}`;
  const rootId = str(raw, 'rootId', field, { pattern: ROOT_ID, hint: 'a root id (r- and 4-32 characters)' })
    ?? `r-${stableKeyChars(`root/${managementAccountId}`, 4).toLowerCase()}`;

  const defaultRegions = stringList(raw, 'defaultRegions', field, REGION, 'a Region name') ?? ['us-east-1', 'us-west-2', 'eu-west-1'];
  defaultRegions.forEach((r, i) => { if (!isKnownRegion(r)) fail(`${field}.defaultRegions[${i}]`, `${show(r)} is not a known AWS Region`); });
  const defaultRoles = (list(raw, 'defaultRoles', field) ?? []).map((r, i) => normalizeRole(r, `${field}.defaultRoles[${i}]`, managementAccountId));

  let managementCredentials: Scenario['managementCredentials'];
  if (raw.managementCredentials !== undefined) {
    const f = `${field}.managementCredentials`;
    if (!isObject(raw.managementCredentials)) fail(f, 'must be an object with accessKeyId and secretAccessKey');
    checkKeys(raw.managementCredentials, f, ['accessKeyId', 'secretAccessKey', 'userName']);
    const accessKeyId = str(raw.managementCredentials, 'accessKeyId', f, { required: true, pattern: ACCESS_KEY_ID, hint: 'an access key id' })!;
    if (accessKeyId.startsWith('ASIA')) fail(`${f}.accessKeyId`, 'ASIA keys are temporary credentials; use a long-term (AKIA) key');
    managementCredentials = {
      accessKeyId,
      secretAccessKey: str(raw.managementCredentials, 'secretAccessKey', f, { required: true })!,
      userName: str(raw.managementCredentials, 'userName', f) ?? 'rotor-admin',
    };
  } else {
    managementCredentials = {
      accessKeyId: `AKIA${stableKeyChars(`mgmt/${managementAccountId}`, 16)}`,
      secretAccessKey: stableSecret(`mgmt/${managementAccountId}`),
      userName: 'rotor-admin',
    };
  }

  const ouInputs = list(raw, 'organizationalUnits', field) ?? [];
  const ouIds = new Set<string>();
  const organizationalUnits = ouInputs.map((o, i): ScenarioOrganizationalUnit => {
    const f = `${field}.organizationalUnits[${i}]`;
    if (!isObject(o)) fail(f, `must be an object, got ${show(o)}`);
    checkKeys(o, f, ['id', 'name', 'parent', 'tags']);
    const id = str(o, 'id', f, { required: true, pattern: OU_ID, hint: 'an OU id (ou-xxxx-xxxxxxxx)' })!;
    if (ouIds.has(id)) fail(`${f}.id`, `duplicate OU id ${id}`);
    ouIds.add(id);
    return { id, name: str(o, 'name', f, { required: true })!, parent: str(o, 'parent', f) ?? rootId, tags: tags(o, 'tags', f) };
  });
  organizationalUnits.forEach((ou, i) => {
    if (ou.parent !== rootId && !ouIds.has(ou.parent)) fail(`${field}.organizationalUnits[${i}].parent`, `${show(ou.parent)} is neither the root ${rootId} nor an OU of the scenario`);
  });
  for (const ou of organizationalUnits) {
    // A parent chain that never reaches the root is a cycle.
    const seen = new Set<string>();
    let at: string = ou.id;
    while (at !== rootId) {
      if (seen.has(at)) fail(`${field}.organizationalUnits`, `OU ${ou.id} is in a parent cycle`);
      seen.add(at);
      at = organizationalUnits.find((o) => o.id === at)!.parent;
    }
  }

  const accountInputs = list(raw, 'accounts', field);
  if (!accountInputs || accountInputs.length === 0) fail(`${field}.accounts`, 'is required (at least the management account)');
  const accountIds = new Set<string>();
  const accounts = accountInputs.map((a, i): ScenarioAccount => {
    const f = `${field}.accounts[${i}]`;
    if (!isObject(a)) fail(f, `must be an object, got ${show(a)}`);
    checkKeys(a, f, ACCOUNT_FIELDS);
    const id = str(a, 'id', f, { required: true, pattern: ACCOUNT_ID, hint: 'a 12-digit account id' })!;
    if (accountIds.has(id)) fail(`${f}.id`, `duplicate account id ${id}`);
    accountIds.add(id);
    const parent = str(a, 'parent', f) ?? rootId;
    if (parent !== rootId && !ouIds.has(parent)) fail(`${f}.parent`, `${show(parent)} is neither the root ${rootId} nor an OU of the scenario`);
    const regions = stringList(a, 'regions', f, REGION, 'a Region name') ?? [...defaultRegions];
    if (regions.length === 0) fail(`${f}.regions`, 'an account has at least one enabled Region');
    regions.forEach((r, j) => { if (!isKnownRegion(r)) fail(`${f}.regions[${j}]`, `${show(r)} is not a known AWS Region`); });
    const roles = a.roles === undefined ? defaultRoles.map((r) => ({ ...r, trustedAccounts: [...r.trustedAccounts] }))
      : list(a, 'roles', f)!.map((r, j) => normalizeRole(r, `${f}.roles[${j}]`, managementAccountId));
    const keyInputs = list(a, 'keys', f) ?? [];
    const keys = expandReplicas(keyInputs.map((k, j) => normalizeKey(k, `${f}.keys[${j}]`, { accountId: id, regions, index: j })));
    const seenKeys = new Set<string>();
    const seenAliases = new Set<string>();
    keys.forEach((k, j) => {
      const where = j < keyInputs.length ? `${f}.keys[${j}]` : `${f}.keys (replica of ${k.keyId} in ${k.region})`;
      const scope = `${k.region}/${k.keyId}`;
      if (seenKeys.has(scope)) fail(`${where}.keyId`, `duplicate key ${k.keyId} in ${k.region}`);
      seenKeys.add(scope);
      for (const alias of k.aliases) {
        if (seenAliases.has(`${k.region}/${alias}`)) fail(`${where}.alias`, `alias ${alias} is used twice in ${k.region}`);
        seenAliases.add(`${k.region}/${alias}`);
      }
      if (k.primaryRegion && !keys.some((p) => p.keyId === k.keyId && p.region === k.primaryRegion && !p.primaryRegion)) {
        fail(`${where}.primaryRegion`, `no primary key ${k.keyId} in ${k.primaryRegion} of this account`);
      }
    });
    const aliases = (list(a, 'aliases', f) ?? []).map((al, j): ScenarioAlias => {
      const af = `${f}.aliases[${j}]`;
      if (!isObject(al)) fail(af, `must be an object, got ${show(al)}`);
      checkKeys(al, af, ['name', 'region', 'targetKeyId']);
      const name = str(al, 'name', af, { required: true, pattern: ALIAS_NAME, hint: 'an alias name (alias/...)' })!;
      const region = str(al, 'region', af, { required: true })!;
      if (!regions.includes(region)) fail(`${af}.region`, `${show(region)} is not an enabled Region of account ${id}`);
      if (seenAliases.has(`${region}/${name}`)) fail(`${af}.name`, `alias ${name} is used twice in ${region}`);
      seenAliases.add(`${region}/${name}`);
      const targetKeyId = str(al, 'targetKeyId', af);
      if (targetKeyId !== undefined && !keys.some((k) => k.keyId === targetKeyId && k.region === region)) {
        fail(`${af}.targetKeyId`, `no key ${targetKeyId} in ${region} of account ${id}`);
      }
      return targetKeyId === undefined ? { name, region } : { name, region, targetKeyId };
    });
    const name = str(a, 'name', f) ?? (id === managementAccountId ? 'management' : `account-${id}`);
    return {
      id, name,
      email: str(a, 'email', f, { pattern: /^[^@\s]+@[^@\s]+$/, hint: 'an email address' }) ?? `aws+${name.replace(/[^a-zA-Z0-9.-]/g, '-')}@example.com`,
      state: oneOf(a, 'state', f, ACCOUNT_STATES) ?? 'ACTIVE',
      parent, tags: tags(a, 'tags', f), regions, roles, keys, aliases,
      joinedMethod: oneOf(a, 'joinedMethod', f, ['CREATED', 'INVITED'] as const) ?? (id === managementAccountId ? 'INVITED' : 'CREATED'),
      joinedTimestamp: isoDate(a, 'joinedTimestamp', f) ?? new Date(Date.parse('2021-06-01T12:00:00Z') + i * 86_400_000 * 11).toISOString(),
    };
  });
  if (!accountIds.has(managementAccountId)) fail(`${field}.accounts`, `the management account ${managementAccountId} is not listed`);

  const delegatedAdministrators = stringList(raw, 'delegatedAdministrators', field, ACCOUNT_ID, 'a 12-digit account id') ?? [];
  delegatedAdministrators.forEach((d, i) => { if (!accountIds.has(d)) fail(`${field}.delegatedAdministrators[${i}]`, `${d} is not an account of the scenario`); });

  const accessKeys = (list(raw, 'accessKeys', field) ?? []).map((k, i): ScenarioAccessKey => {
    const f = `${field}.accessKeys[${i}]`;
    if (!isObject(k)) fail(f, `must be an object, got ${show(k)}`);
    checkKeys(k, f, ['accessKeyId', 'secretAccessKey', 'accountId', 'userName']);
    const accessKeyId = str(k, 'accessKeyId', f, { required: true, pattern: ACCESS_KEY_ID, hint: 'an access key id' })!;
    if (accessKeyId.startsWith('ASIA')) fail(`${f}.accessKeyId`, 'ASIA keys are issued by AssumeRole; name a long-term key');
    const accountId = str(k, 'accountId', f, { required: true, pattern: ACCOUNT_ID, hint: 'a 12-digit account id' })!;
    return {
      accessKeyId, accountId,
      secretAccessKey: str(k, 'secretAccessKey', f) ?? stableSecret(accessKeyId),
      userName: str(k, 'userName', f) ?? 'simulated-user',
    };
  });

  const faults = (list(raw, 'faults', field) ?? []).map((x, i) => validateFault(x, `${field}.faults[${i}]`));

  const scenario: Scenario = {
    name: str(raw, 'name', field) ?? 'scenario',
    organizationId, rootId, managementAccountId, managementCredentials, accessKeys, delegatedAdministrators,
    defaultRegions, defaultRoles, organizationalUnits, accounts, faults,
  };
  const description = str(raw, 'description', field);
  if (description !== undefined) scenario.description = description;
  return scenario;
}

/** Checks one fault (from a scenario file or the simulator's options). */
export function validateFault(raw: unknown, field: string): Fault {
  if (!isObject(raw)) fail(field, `must be an object, got ${show(raw)}`);
  const type = oneOf(raw, 'type', field, FAULT_TYPES);
  if (!type) fail(`${field}.type`, `is required (one of ${FAULT_TYPES.join(', ')})`);
  const common = { pattern: ACCOUNT_ID, hint: 'a 12-digit account id' };
  switch (type) {
    case 'enable-rotation-error':
      checkKeys(raw, field, ['type', 'accountId', 'region', 'keyId', 'error', 'message', 'times']);
      str(raw, 'accountId', field, { ...common, required: true });
      str(raw, 'region', field); str(raw, 'keyId', field); str(raw, 'error', field); str(raw, 'message', field);
      int(raw, 'times', field, 0, Number.MAX_SAFE_INTEGER);
      break;
    case 'enable-rotation-ignored':
      checkKeys(raw, field, ['type', 'accountId', 'region', 'keyId']);
      str(raw, 'accountId', field, { ...common, required: true });
      str(raw, 'region', field); str(raw, 'keyId', field);
      break;
    case 'region-failure':
      checkKeys(raw, field, ['type', 'accountId', 'region', 'service', 'error', 'message']);
      str(raw, 'accountId', field, { ...common, required: true });
      str(raw, 'region', field, { required: true });
      oneOf(raw, 'service', field, ['kms', 'ec2', 'all'] as const);
      str(raw, 'error', field); str(raw, 'message', field);
      break;
    case 'operation-error':
      checkKeys(raw, field, ['type', 'accountId', 'region', 'service', 'operation', 'error', 'message', 'status', 'times']);
      str(raw, 'accountId', field, common);
      str(raw, 'region', field); str(raw, 'operation', field); str(raw, 'message', field);
      oneOf(raw, 'service', field, ['kms', 'organizations', 'sts', 'ec2'] as const);
      str(raw, 'error', field, { required: true });
      int(raw, 'status', field, 400, 599);
      int(raw, 'times', field, 0, Number.MAX_SAFE_INTEGER);
      break;
  }
  return { ...(raw as object) } as Fault;
}

/**
 * Loads a scenario: a path to a JSON file, or an object in the input (or full) form.
 * Throws ScenarioError naming the bad field.
 */
export function loadScenario(pathOrObject: string | ScenarioInput | Scenario): Scenario {
  if (typeof pathOrObject === 'string') {
    const path = resolve(pathOrObject);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new ScenarioError(path, `cannot read the scenario file (${(e as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new ScenarioError(path, `is not valid JSON (${(e as Error).message})`);
    }
    return normalizeScenario(parsed);
  }
  return normalizeScenario(JSON.parse(JSON.stringify(pathOrObject)));
}

