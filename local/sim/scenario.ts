// Scenario files of the simulated organization: the readable JSON form (keys given by `kind`),
// its zod schemas with errors naming the bad field, and its expansion into the full form the
// simulator runs on (every key with complete metadata and a stable id).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import type { Fault } from './faults';
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
const DEFAULT_JOINED_BASE = Date.parse('2021-06-01T12:00:00Z');
const DAY_MS = 86_400_000;

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

// A generated scenario with one mistake repeated in every account should not print thousands of lines.
const MAX_PROBLEMS_SHOWN = 10;

/** A scenario that does not validate: one line per problem, each `<field>: <problem>`. */
export class ScenarioError extends Error {
  constructor(readonly problems: readonly string[]) {
    const more = problems.length - MAX_PROBLEMS_SHOWN;
    super([...problems.slice(0, MAX_PROBLEMS_SHOWN), ...(more > 0 ? [`(and ${more} more problems)`] : [])].join('\n'));
    this.name = 'ScenarioError';
  }
}

// ---------------------------------------------------------------------------------------------
// Zod's issues in the scenario's words: `<prefix><path>: <message>`

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** What a field must be, by zod's name of the expected type. */
const EXPECTED: Record<string, string> = {
  string: 'a string', boolean: 'true or false', array: 'a list', object: 'an object', record: 'an object of string values',
};

const scenarioMessages: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'invalid_type') return iss.input === undefined ? 'is required' : `must be ${EXPECTED[iss.expected] ?? iss.expected}, got ${show(iss.input)}`;
  if (iss.code === 'invalid_value') return `${show(iss.input)} is not one of ${iss.values.join(', ')}`;
  return undefined;
};

function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, p) => (typeof p === 'number' ? `${at}[${p}]` : `${at}.${String(p)}`), prefix);
}

/** The schema's output, or a ScenarioError naming each bad field under `prefix`. */
function parseOrThrow<T>(schema: z.ZodType<T>, raw: unknown, prefix: string): T {
  const result = schema.safeParse(raw, { error: scenarioMessages });
  if (result.success) return result.data;
  throw new ScenarioError(result.error.issues.flatMap((iss) => (iss.code === 'unrecognized_keys'
    ? iss.keys.map((k) => `${fieldPath(prefix, [...iss.path, k])}: ${iss.message}`)
    : [`${fieldPath(prefix, iss.path)}: ${iss.message}`])));
}

type Problem = (path: PropertyKey[], message: string) => void;

/** A rule's problems as zod issues, the path relative to what the rule checks. */
const reportingTo = (ctx: z.RefinementCtx): Problem => (path, message) => ctx.addIssue({ code: 'custom', path, message });

// ---------------------------------------------------------------------------------------------
// Field schemas

/** An object that refuses fields it does not name, saying which it expects. */
function strict<S extends z.ZodRawShape>(shape: S) {
  const expected = Object.keys(shape).join(', ');
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field (expected one of ${expected})` : undefined) });
}

const nonEmpty = (iss: { input?: unknown }) => (iss.input === undefined ? undefined : `must be a non-empty string, got ${show(iss.input)}`);
const text = z.string({ error: nonEmpty }).min(1, { error: nonEmpty, abort: true });
const optionalText = text.optional();

function matching(pattern: RegExp, what: string) {
  return text.regex(pattern, { error: (iss) => `${show(iss.input)} is not ${what}` });
}

function intFrom(min: number, max: number) {
  const error = (iss: { input?: unknown }) => (iss.input === undefined ? undefined : `must be an integer from ${min} to ${max}, got ${show(iss.input)}`);
  return z.int({ error }).min(min, { error }).max(max, { error });
}

const accountId = matching(/^\d{12}$/, 'a 12-digit account id');
const regionName = text.refine(isKnownRegion, { error: (iss) => `${show(iss.input)} is not a known AWS Region` });
const aliasName = matching(/^alias\/[a-zA-Z0-9/_-]+$/, 'an alias name (alias/...)');
const longTermAccessKeyId = matching(/^[A-Z0-9]{16,128}$/, 'an access key id')
  .refine((id) => !id.startsWith('ASIA'), 'ASIA keys are temporary credentials issued by AssumeRole; use a long-term (AKIA) key');
const isoDate = text
  .refine((v) => !Number.isNaN(Date.parse(v)), { error: (iss) => `${show(iss.input)} is not an ISO 8601 date` })
  .transform((v) => new Date(v).toISOString());
const tags = z.record(z.string(), z.string()).default(() => ({}));
const list = <T extends z.ZodType>(item: T) => z.array(item).default(() => []);

// ---------------------------------------------------------------------------------------------
// Keys

type KindDefaults = Pick<ScenarioKey, 'keySpec' | 'keyUsage' | 'origin' | 'keyManager' | 'keyState' | 'rotation' | 'multiRegion' | 'description'>;

const PLAIN_KEY: KindDefaults = {
  keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyManager: 'CUSTOMER',
  keyState: 'Enabled', rotation: false, multiRegion: false, description: '',
};

/** What each kind changes of a plain symmetric customer-managed key. */
const KIND_DEFAULTS: Record<KeyKind, Partial<KindDefaults>> = {
  'rotating': { rotation: true, description: 'Application data key (rotation on)' },
  'not-rotating': { description: 'Application data key (rotation off)' },
  'asymmetric-rsa': { keySpec: 'RSA_2048', description: 'RSA 2048 encryption key' },
  'asymmetric-ecc': { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', description: 'ECC P-256 signing key' },
  'hmac': { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', description: 'HMAC 256 key' },
  'imported': { origin: 'EXTERNAL', description: 'Key with imported key material' },
  'pending-import': { origin: 'EXTERNAL', keyState: 'PendingImport', description: 'Key waiting for imported key material' },
  'cloudhsm': { origin: 'AWS_CLOUDHSM', description: 'Key in a CloudHSM key store' },
  'external-key-store': { origin: 'EXTERNAL_KEY_STORE', description: 'Key in an external key store' },
  'disabled': { keyState: 'Disabled', description: 'Disabled application key' },
  'pending-deletion': { keyState: 'PendingDeletion', description: 'Key scheduled for deletion' },
  'multi-region-primary': { multiRegion: true, description: 'Multi-Region primary key' },
  'multi-region-replica': { multiRegion: true, description: 'Multi-Region replica key' },
  'aws-managed': { keyManager: 'AWS', rotation: true },
};

/** Which key usages a key spec allows (as KMS CreateKey does). */
export function usagesForSpec(spec: KeySpec): KeyUsage[] {
  if (spec === 'SYMMETRIC_DEFAULT') return ['ENCRYPT_DECRYPT'];
  if (spec.startsWith('HMAC_')) return ['GENERATE_VERIFY_MAC'];
  if (spec.startsWith('RSA_')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec === 'SM2') return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'];
  return ['SIGN_VERIFY', 'KEY_AGREEMENT'];
}

const inCustomKeyStore = (origin: Origin) => origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE';

const keyFields = strict({
  kind: z.enum(KEY_KINDS).default('not-rotating'),
  region: text,
  keyId: optionalText,
  /** One alias name or several. */
  alias: z.union([aliasName, z.array(aliasName)], {
    error: (iss) => (iss.code === 'invalid_union' ? `must be an alias name or a list of them, got ${show(iss.input)}` : undefined),
  }).optional(),
  aliases: z.array(aliasName).optional(),
  description: z.string().optional(),
  tags,
  rotation: z.boolean().optional(),
  rotationPeriodInDays: intFrom(90, 2560).optional(),
  keyState: z.enum(KEY_STATES).optional(),
  keySpec: z.enum(KEY_SPECS).optional(),
  keyUsage: z.enum(KEY_USAGES).optional(),
  origin: z.enum(ORIGINS).optional(),
  keyManager: z.enum(KEY_MANAGERS).optional(),
  customKeyStoreId: matching(/^cks-[0-9a-z]{17}$/, 'a custom key store id (cks- and 17 characters)').optional(),
  creationDate: isoDate.optional(),
  pendingWindowInDays: intFrom(7, 30).optional(),
  /** Multi-Region primary: Regions (same account) that hold a replica. */
  replicaRegions: z.array(text).optional(),
  /** Multi-Region replica: the primary's Region (the primary must be in this account). */
  primaryRegion: optionalText,
  multiRegion: z.boolean().optional(),
  /** AWS-managed key: the service whose `alias/aws/<service>` it is. */
  service: matching(/^[a-z0-9-]+$/, 'a service name like s3 or ebs').optional(),
})
  .refine((k) => k.alias === undefined || k.aliases === undefined, { path: ['aliases'], message: 'give alias or aliases, not both' })
  .refine((k) => k.kind !== 'multi-region-replica' || k.primaryRegion !== undefined, { path: ['primaryRegion'], message: 'is required for a multi-Region replica' })
  .refine((k) => k.replicaRegions === undefined || k.primaryRegion === undefined, { path: ['replicaRegions'], message: 'a replica cannot have replicas' });

/** A key with its kind's defaults applied: all but what its place in the account decides. */
function withKindDefaults(k: z.output<typeof keyFields>) {
  const d = { ...PLAIN_KEY, ...KIND_DEFAULTS[k.kind] };
  const keyManager = k.keyManager ?? d.keyManager;
  const keySpec = k.keySpec ?? d.keySpec;
  const given = typeof k.alias === 'string' ? [k.alias] : k.alias ?? k.aliases ?? [];
  const serviceAlias = keyManager === 'AWS' && k.service !== undefined ? `alias/aws/${k.service}` : undefined;
  const aliases = serviceAlias && !given.includes(serviceAlias) ? [serviceAlias, ...given] : given;
  const awsService = aliases.find((a) => a.startsWith('alias/aws/'))?.slice('alias/aws/'.length);
  return {
    keyId: k.keyId, region: k.region, aliases,
    description: k.description ?? (keyManager === 'AWS' ? `Default key that protects my ${awsService ?? 'AWS'} resources when no other key is defined` : d.description),
    tags: k.tags,
    rotation: k.rotation ?? (k.rotationPeriodInDays !== undefined || d.rotation),
    rotationPeriodInDays: k.rotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS,
    keyState: k.keyState ?? d.keyState,
    keySpec,
    keyUsage: k.keyUsage ?? (k.keySpec !== undefined ? usagesForSpec(keySpec)[0] : d.keyUsage),
    origin: k.origin ?? d.origin,
    keyManager,
    customKeyStoreId: k.customKeyStoreId,
    creationDate: k.creationDate,
    pendingWindowInDays: k.pendingWindowInDays,
    multiRegion: k.multiRegion ?? (k.replicaRegions !== undefined || k.primaryRegion !== undefined || d.multiRegion),
    replicaRegions: k.replicaRegions,
    primaryRegion: k.primaryRegion,
    service: k.service,
  };
}
type KeyFacts = ReturnType<typeof withKindDefaults>;

/** What KMS would refuse of a key, field by field. */
function keyRules(k: KeyFacts, ctx: z.RefinementCtx): void {
  const problem = reportingTo(ctx);
  if (!usagesForSpec(k.keySpec).includes(k.keyUsage)) problem(['keyUsage'], `${k.keyUsage} is not valid for key spec ${k.keySpec}`);
  if (k.keyState === 'PendingImport' && k.origin !== 'EXTERNAL') problem(['keyState'], 'PendingImport needs origin EXTERNAL');
  if (k.origin !== 'AWS_KMS' && k.keySpec !== 'SYMMETRIC_DEFAULT') problem(['origin'], `${k.origin} keys must be SYMMETRIC_DEFAULT`);
  if (k.primaryRegion === k.region) problem(['primaryRegion'], 'must differ from the replica\'s own Region');
  k.replicaRegions?.forEach((r, i) => { if (r === k.region) problem(['replicaRegions', i], 'must differ from the primary\'s own Region'); });
  if (k.multiRegion && inCustomKeyStore(k.origin)) problem(['multiRegion'], `keys in a custom key store (${k.origin}) cannot be multi-Region`);
  if (k.keyId !== undefined && !(k.multiRegion ? MRK_PATTERN : UUID_PATTERN).test(k.keyId)) {
    problem(['keyId'], k.multiRegion ? `${show(k.keyId)} is not a multi-Region key id (mrk- and 32 hex digits)` : `${show(k.keyId)} is not a key id (a lower-case UUID)`);
  }
  if (k.keyManager === 'AWS' && !k.aliases.some((a) => a.startsWith('alias/aws/'))) problem(['service'], 'an AWS-managed key needs a service (its alias/aws/<service> alias)');
  if (k.keyManager !== 'AWS' && k.service !== undefined) problem(['service'], 'only AWS-managed keys have a service');
  for (const a of k.aliases) {
    if (a.startsWith('alias/aws/') && k.keyManager !== 'AWS') problem(['alias'], `${show(a)}: alias/aws/ is reserved for AWS-managed keys`);
  }
  if (k.keyManager === 'AWS' && !k.rotation) problem(['rotation'], 'AWS-managed keys always rotate');
  if (k.customKeyStoreId !== undefined && !inCustomKeyStore(k.origin)) {
    problem(['customKeyStoreId'], `only AWS_CLOUDHSM and EXTERNAL_KEY_STORE keys live in a custom key store (origin is ${k.origin})`);
  }
}

const keySchema = keyFields.transform(withKindDefaults).superRefine(keyRules);

interface KeyPlace {
  accountId: string;
  index: number;
}

/** The full form of a key: ids and dates not given are derived from its account and position. */
function placeKey(k: KeyFacts, { accountId, index }: KeyPlace): ScenarioKey {
  const seed = `${accountId}/${k.primaryRegion ?? k.region}/${index}`;
  const key: ScenarioKey = {
    keyId: k.keyId ?? (k.multiRegion ? stableMultiRegionKeyId(seed) : stableUuid(seed)),
    region: k.region, aliases: k.aliases, description: k.description, tags: k.tags, rotation: k.rotation,
    rotationPeriodInDays: k.rotationPeriodInDays, keyState: k.keyState, keySpec: k.keySpec, keyUsage: k.keyUsage,
    origin: k.origin, keyManager: k.keyManager,
    creationDate: k.creationDate ?? new Date(DEFAULT_CREATION_BASE + index * 3 * DAY_MS).toISOString(),
    multiRegion: k.multiRegion,
  };
  const customKeyStoreId = k.customKeyStoreId ?? (inCustomKeyStore(k.origin) ? stableCustomKeyStoreId(`${accountId}/${k.region}/${k.origin}`) : undefined);
  if (customKeyStoreId) key.customKeyStoreId = customKeyStoreId;
  if (k.keyState === 'PendingDeletion') key.pendingWindowInDays = k.pendingWindowInDays ?? 30;
  if (k.replicaRegions) key.replicaRegions = k.replicaRegions;
  if (k.primaryRegion) key.primaryRegion = k.primaryRegion;
  return key;
}

/** A key's Regions must be enabled in its account. */
function checkKeyRegions(key: ScenarioKey, account: { id: string; regions: string[] }, problem: Problem): void {
  const notEnabled = (r: string) => `${show(r)} is not an enabled Region of account ${account.id}`;
  if (!account.regions.includes(key.region)) problem(['region'], `${notEnabled(key.region)} (${account.regions.join(', ')})`);
  if (key.primaryRegion !== undefined && !account.regions.includes(key.primaryRegion)) problem(['primaryRegion'], notEnabled(key.primaryRegion));
  key.replicaRegions?.forEach((r, i) => { if (!account.regions.includes(r)) problem(['replicaRegions', i], notEnabled(r)); });
}

interface KeyContext extends KeyPlace {
  regions: string[];
}

/** Expands one key of the input form into the full form (replicas are expanded later). */
export function normalizeKey(raw: unknown, field: string, ctx: KeyContext): ScenarioKey {
  const key = placeKey(parseOrThrow(keySchema, raw, field), ctx);
  const problems: string[] = [];
  checkKeyRegions(key, { id: ctx.accountId, regions: ctx.regions }, (path, message) => problems.push(`${fieldPath(field, path)}: ${message}`));
  if (problems.length > 0) throw new ScenarioError(problems);
  return key;
}

/** Adds the replicas of every multi-Region primary that are not already listed. */
function expandReplicas(keys: ScenarioKey[]): ScenarioKey[] {
  const out = [...keys];
  for (const key of keys) {
    for (const region of key.replicaRegions ?? []) {
      if (out.some((k) => k.keyId === key.keyId && k.region === region)) continue;
      const { replicaRegions: _, ...shared } = key;
      out.push({ ...shared, region, aliases: [], primaryRegion: key.region, description: key.description ? `${key.description} (replica)` : 'Multi-Region replica key' });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Faults

const times = intFrom(0, Number.MAX_SAFE_INTEGER).optional();

const faultSchema: z.ZodType<Fault, Fault> = z.discriminatedUnion('type', [
  strict({ type: z.literal('enable-rotation-error'), accountId, region: optionalText, keyId: optionalText, error: optionalText, message: optionalText, times }),
  strict({ type: z.literal('enable-rotation-ignored'), accountId, region: optionalText, keyId: optionalText }),
  strict({ type: z.literal('region-failure'), accountId, region: text, service: z.enum(['kms', 'ec2', 'all']).optional(), error: optionalText, message: optionalText }),
  strict({
    type: z.literal('operation-error'), accountId: accountId.optional(), region: optionalText,
    service: z.enum(['kms', 'organizations', 'sts', 'ec2']).optional(), operation: optionalText, error: text, message: optionalText,
    status: intFrom(400, 599).optional(), times,
  }),
], {
  error: (iss) => {
    if (iss.code !== 'invalid_union') return undefined;
    const type = (iss.input as { type?: unknown }).type;
    const types = (iss as { options?: unknown[] }).options?.join(', ');
    return type === undefined ? `is required (one of ${types})` : `${show(type)} is not one of ${types}`;
  },
});

/** Checks one fault (from a scenario file or the simulator's options). */
export function validateFault(raw: unknown, field: string): Fault {
  return parseOrThrow(faultSchema, raw, field);
}

// ---------------------------------------------------------------------------------------------
// Scenario

const roleFields = strict({
  name: matching(/^[\w+=,.@-]{1,64}$/, 'a role name'),
  /** When set, AssumeRole must pass this ExternalId. */
  externalId: optionalText,
  /** Accounts whose principals the role trusts besides the management account (always trusted). */
  trustedAccounts: z.array(accountId).optional(),
});

const accountFields = strict({
  id: accountId,
  name: optionalText,
  email: matching(/^[^@\s]+@[^@\s]+$/, 'an email address').optional(),
  state: z.enum(ACCOUNT_STATES).default('ACTIVE'),
  /** Parent OU id, or the root id (default). */
  parent: optionalText,
  tags,
  /** Enabled Regions; default: the scenario's defaultRegions. */
  regions: z.array(regionName).optional(),
  /** Roles present; default: the scenario's defaultRoles. `[]` means no role at all. */
  roles: z.array(roleFields).optional(),
  keys: list(keySchema),
  /** Extra aliases, e.g. predefined `alias/aws/...` aliases that point at no key yet. */
  aliases: list(strict({ name: aliasName, region: text, targetKeyId: optionalText })),
  joinedMethod: z.enum(['CREATED', 'INVITED']).optional(),
  joinedTimestamp: isoDate.optional(),
});

const scenarioFields = strict({
  name: text.default('scenario'),
  description: optionalText,
  organizationId: matching(/^o-[a-z0-9]{10,32}$/, 'an organization id (o- and 10-32 characters)').optional(),
  rootId: matching(/^r-[0-9a-z]{4,32}$/, 'a root id (r- and 4-32 characters)').optional(),
  managementAccountId: accountId,
  managementCredentials: strict({ accessKeyId: longTermAccessKeyId, secretAccessKey: text, userName: text.default('rotor-admin') }).optional(),
  /** Further long-term access keys (non-ASIA) mapped to accounts. */
  accessKeys: list(strict({ accessKeyId: longTermAccessKeyId, secretAccessKey: optionalText, accountId, userName: text.default('simulated-user') })),
  delegatedAdministrators: list(accountId),
  defaultRegions: z.array(regionName).default(() => ['us-east-1', 'us-west-2', 'eu-west-1']),
  defaultRoles: list(roleFields),
  organizationalUnits: list(strict({ id: matching(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, 'an OU id (ou-xxxx-xxxxxxxx)'), name: text, parent: optionalText, tags })),
  accounts: z.array(accountFields).min(1, 'is required (at least the management account)'),
  faults: list(faultSchema),
});

type ScenarioFields = z.output<typeof scenarioFields>;
export type ScenarioInput = z.input<typeof scenarioFields>;
export type AccountInput = z.input<typeof accountFields>;
export type KeyInput = z.input<typeof keyFields>;
export type RoleInput = z.input<typeof roleFields>;

/** The full form: every default filled in from the rest of the scenario. */
function buildScenario(s: ScenarioFields): Scenario {
  const management = s.managementAccountId;
  const rootId = s.rootId ?? `r-${stableKeyChars(`root/${management}`, 4).toLowerCase()}`;
  const role = (r: z.output<typeof roleFields>): ScenarioRole => ({ ...r, trustedAccounts: [...(r.trustedAccounts ?? [management])] });
  const scenario: Scenario = {
    name: s.name,
    organizationId: s.organizationId ?? `o-${stableKeyChars(`org/${management}`, 10).toLowerCase()}`,
    rootId,
    managementAccountId: management,
    managementCredentials: s.managementCredentials ?? {
      accessKeyId: `AKIA${stableKeyChars(`mgmt/${management}`, 16)}`, secretAccessKey: stableSecret(`mgmt/${management}`), userName: 'rotor-admin',
    },
    accessKeys: s.accessKeys.map((k) => ({ accessKeyId: k.accessKeyId, accountId: k.accountId, secretAccessKey: k.secretAccessKey ?? stableSecret(k.accessKeyId), userName: k.userName })),
    delegatedAdministrators: s.delegatedAdministrators,
    defaultRegions: s.defaultRegions,
    defaultRoles: s.defaultRoles.map(role),
    organizationalUnits: s.organizationalUnits.map((ou) => ({ id: ou.id, name: ou.name, parent: ou.parent ?? rootId, tags: ou.tags })),
    accounts: s.accounts.map((a, i) => {
      const name = a.name ?? (a.id === management ? 'management' : `account-${a.id}`);
      return {
        id: a.id, name,
        email: a.email ?? `aws+${name.replace(/[^a-zA-Z0-9.-]/g, '-')}@example.com`,
        state: a.state, parent: a.parent ?? rootId, tags: a.tags,
        regions: a.regions ?? [...s.defaultRegions],
        roles: (a.roles ?? s.defaultRoles).map(role),
        keys: expandReplicas(a.keys.map((k, index) => placeKey(k, { accountId: a.id, index }))),
        aliases: a.aliases,
        joinedMethod: a.joinedMethod ?? (a.id === management ? 'INVITED' : 'CREATED'),
        joinedTimestamp: a.joinedTimestamp ?? new Date(DEFAULT_JOINED_BASE + i * 11 * DAY_MS).toISOString(),
      };
    }),
    faults: s.faults,
  };
  if (s.description !== undefined) scenario.description = s.description;
  return scenario;
}

/** The rules across objects: references resolve, ids are unique, Regions are enabled. */
function organizationRules({ input, scenario: s }: { input: ScenarioFields; scenario: Scenario }, ctx: z.RefinementCtx): void {
  const problem = reportingTo(ctx);
  const ouIds = new Set<string>();
  const isParent = (p: string) => p === s.rootId || ouIds.has(p);
  const notParent = (p: string) => `${show(p)} is neither the root ${s.rootId} nor an OU of the scenario`;
  s.organizationalUnits.forEach((ou, i) => {
    if (ouIds.has(ou.id)) problem(['organizationalUnits', i, 'id'], `duplicate OU id ${ou.id}`);
    ouIds.add(ou.id);
  });
  s.organizationalUnits.forEach((ou, i) => { if (!isParent(ou.parent)) problem(['organizationalUnits', i, 'parent'], notParent(ou.parent)); });
  // A parent chain that comes back to an OU it passed never reaches the root.
  const parentOf = new Map(s.organizationalUnits.map((ou) => [ou.id, ou.parent]));
  const inCycle = s.organizationalUnits.find((ou) => {
    const seen = new Set<string>();
    for (let at: string | undefined = ou.id; at !== undefined && at !== s.rootId; at = parentOf.get(at)) {
      if (seen.has(at)) return true;
      seen.add(at);
    }
    return false;
  });
  if (inCycle) problem(['organizationalUnits'], `OU ${inCycle.id} is in a parent cycle`);

  const accountIds = new Set<string>();
  s.accounts.forEach((a, i) => {
    const at = (...path: PropertyKey[]) => ['accounts', i, ...path];
    if (accountIds.has(a.id)) problem(at('id'), `duplicate account id ${a.id}`);
    accountIds.add(a.id);
    if (!isParent(a.parent)) problem(at('parent'), notParent(a.parent));
    if (a.regions.length === 0) problem(at('regions'), 'an account has at least one enabled Region');
    const listed = input.accounts[i].keys.length;
    const seenKeys = new Set<string>();
    const seenAliases = new Set<string>();
    a.keys.forEach((k, j) => {
      const where = j < listed ? at('keys', j) : at(`keys (replica of ${k.keyId} in ${k.region})`);
      if (j < listed) checkKeyRegions(k, a, (path, message) => problem([...where, ...path], message));
      if (seenKeys.has(`${k.region}/${k.keyId}`)) problem([...where, 'keyId'], `duplicate key ${k.keyId} in ${k.region}`);
      seenKeys.add(`${k.region}/${k.keyId}`);
      for (const alias of k.aliases) {
        if (seenAliases.has(`${k.region}/${alias}`)) problem([...where, 'alias'], `alias ${alias} is used twice in ${k.region}`);
        seenAliases.add(`${k.region}/${alias}`);
      }
      if (k.primaryRegion && !a.keys.some((p) => p.keyId === k.keyId && p.region === k.primaryRegion && !p.primaryRegion)) {
        problem([...where, 'primaryRegion'], `no primary key ${k.keyId} in ${k.primaryRegion} of this account`);
      }
    });
    a.aliases.forEach((alias, j) => {
      if (!a.regions.includes(alias.region)) problem(at('aliases', j, 'region'), `${show(alias.region)} is not an enabled Region of account ${a.id}`);
      if (seenAliases.has(`${alias.region}/${alias.name}`)) problem(at('aliases', j, 'name'), `alias ${alias.name} is used twice in ${alias.region}`);
      seenAliases.add(`${alias.region}/${alias.name}`);
      if (alias.targetKeyId !== undefined && !a.keys.some((k) => k.keyId === alias.targetKeyId && k.region === alias.region)) {
        problem(at('aliases', j, 'targetKeyId'), `no key ${alias.targetKeyId} in ${alias.region} of account ${a.id}`);
      }
    });
  });
  if (!accountIds.has(s.managementAccountId)) problem(['accounts'], `the management account ${s.managementAccountId} is not listed`);
  s.delegatedAdministrators.forEach((d, i) => { if (!accountIds.has(d)) problem(['delegatedAdministrators', i], `${d} is not an account of the scenario`); });
}

const scenarioSchema = scenarioFields
  .transform((input) => ({ input, scenario: buildScenario(input) }))
  .superRefine(organizationRules)
  .transform(({ scenario }) => scenario);

/** Validates a scenario in the input form and expands it to the full form. */
export function normalizeScenario(raw: unknown, field = 'scenario'): Scenario {
  return parseOrThrow(scenarioSchema, raw, field);
}

/**
 * Loads a scenario: a path to a JSON file, or an object in the input (or full) form.
 * Throws ScenarioError naming the bad field (and the file, for a file).
 */
export function loadScenario(pathOrObject: string | ScenarioInput | Scenario): Scenario {
  if (typeof pathOrObject !== 'string') return normalizeScenario(JSON.parse(JSON.stringify(pathOrObject)));
  const path = resolve(pathOrObject);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError([`${path}: cannot read the scenario file (${(e as Error).message})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError([`${path}: is not valid JSON (${(e as Error).message})`]);
  }
  return normalizeScenario(parsed, `${path}: scenario`);
}
