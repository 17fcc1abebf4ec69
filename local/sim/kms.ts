// The simulated KMS (awsJson1_1, target prefix TrentService): the operations kms-rotor and its
// tests use, with AWS's answers per key kind and key state (rotation rules, error names).
import { AwsError } from './errors';
import { hashHex, isKeyIdShaped, stableCloudHsmClusterId } from './ids';
import {
  KEY_SPECS, KEY_USAGES, ORIGINS, ScenarioError, usagesForSpec, type KeyInput, type KeySpec, type KeyUsage, type Origin,
} from './scenario';
import { aliasArn, nextRotationDate, type Identity, type KeyRecord, type OrganizationState } from './state';
import { decodePageToken, encodePageToken } from './paging';

export interface KmsContext {
  state: OrganizationState;
  caller: Identity;
  region: string;
  now: Date;
  /** Set by an `enable-rotation-ignored` fault: EnableKeyRotation answers success but changes nothing. */
  ignoreEnableRotation?: boolean;
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

export const KMS_DEFAULT_PAGE = { ListKeys: 100, ListAliases: 100, ListResourceTags: 50 } as const;

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function validationError(field: string, value: unknown, constraint: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: Value '${value === undefined ? 'null' : String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

function requiredString(input: Input, name: string, field: string): string {
  const v = input[name];
  if (v === undefined || v === null) throw validationError(field, undefined, 'Member must not be null');
  if (typeof v !== 'string' || v.length < 1 || v.length > 2048) throw validationError(field, v, 'Member must have length between 1 and 2048');
  return v;
}

function optionalInt(input: Input, name: string, field: string, min: number, max: number): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw validationError(field, v, 'Member must be an integer');
  if (v < min) throw validationError(field, v, `Member must have value greater than or equal to ${min}`);
  if (v > max) throw validationError(field, v, `Member must have value less than or equal to ${max}`);
  return v;
}

function notFound(message: string): AwsError {
  return new AwsError('NotFoundException', message);
}

/** What the caller may name a key with: key id, key ARN, alias name or alias ARN (when allowed). */
function resolveKey(ctx: KmsContext, keyIdInput: string, operation: string, allowAlias: boolean): KeyRecord {
  const accountId = ctx.caller.accountId;
  let ref = keyIdInput;
  if (ref.startsWith('arn:')) {
    const m = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)$/.exec(ref);
    if (!m) throw notFound(`Invalid arn ${ref}`);
    const [, region, owner, resource] = m;
    if (owner !== accountId) {
      throw new AwsError('AccessDeniedException',
        `User: ${ctx.caller.arn} is not authorized to perform: kms:${operation} on resource: ${ref} because no resource-based policy allows the kms:${operation} action`);
    }
    if (region !== ctx.region) throw notFound(`Invalid arn ${region}`);
    ref = resource.startsWith('key/') ? resource.slice(4) : resource;
  }
  if (ref.startsWith('alias/')) {
    if (!allowAlias) throw notFound(`Invalid keyId ${keyIdInput}`);
    const alias = ctx.state.aliasesIn(accountId, ctx.region).find((a) => a.name === ref);
    const target = alias?.targetKeyId ? ctx.state.findKey(accountId, ctx.region, alias.targetKeyId) : undefined;
    if (!target) throw notFound(`Alias ${aliasArn(ctx.region, accountId, ref)} is not found.`);
    return target;
  }
  if (!isKeyIdShaped(ref)) throw notFound(`Invalid keyId ${keyIdInput}`);
  const key = ctx.state.findKey(accountId, ctx.region, ref);
  if (!key) throw notFound(`Key '${`arn:aws:kms:${ctx.region}:${accountId}:key/${ref}`}' does not exist`);
  return key;
}

function algorithms(spec: KeySpec, usage: KeyUsage): Output {
  if (spec === 'SYMMETRIC_DEFAULT') return { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] };
  if (spec.startsWith('HMAC_')) return { MacAlgorithms: [`HMAC_SHA_${spec.slice(5)}`] };
  if (usage === 'KEY_AGREEMENT') return { KeyAgreementAlgorithms: ['ECDH'] };
  if (spec.startsWith('RSA_')) {
    return usage === 'ENCRYPT_DECRYPT'
      ? { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }
      : { SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'] };
  }
  if (spec === 'SM2') return usage === 'ENCRYPT_DECRYPT' ? { EncryptionAlgorithms: ['SM2PKE'] } : { SigningAlgorithms: ['SM2DSA'] };
  const bits: Record<string, string> = { ECC_NIST_P256: '256', ECC_SECG_P256K1: '256', ECC_NIST_P384: '384', ECC_NIST_P521: '512' };
  return { SigningAlgorithms: [`ECDSA_SHA_${bits[spec]}`] };
}

/** DescribeKey's KeyMetadata for a key, in the wire shape. */
export function keyMetadata(state: OrganizationState, key: KeyRecord): Output {
  const md: Output = {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: epochSeconds(key.creationDate),
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    Origin: key.origin,
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...algorithms(key.keySpec, key.keyUsage),
    MultiRegion: key.multiRegion,
  };
  if (key.deletionDate) {
    md.DeletionDate = epochSeconds(key.deletionDate);
    md.PendingDeletionWindowInDays = key.pendingWindowInDays;
  }
  if (key.origin === 'EXTERNAL' && key.keyState !== 'PendingImport') md.ExpirationModel = 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  if (key.customKeyStoreId) md.CustomKeyStoreId = key.customKeyStoreId;
  if (key.origin === 'AWS_CLOUDHSM') md.CloudHsmClusterId = stableCloudHsmClusterId(key.customKeyStoreId!);
  if (key.origin === 'EXTERNAL_KEY_STORE') md.XksKeyConfiguration = { Id: `xks-key-${hashHex(key.arn).slice(0, 12)}` };
  if (key.origin === 'AWS_KMS' && key.keySpec === 'SYMMETRIC_DEFAULT') md.CurrentKeyMaterialId = hashHex(`material/${key.accountId}/${key.keyId}`);
  if (key.multiRegion) {
    const primary = state.rotationOwner(key);
    const primaryRegion = key.primaryRegion ?? key.region;
    md.MultiRegionConfiguration = {
      MultiRegionKeyType: key.primaryRegion ? 'REPLICA' : 'PRIMARY',
      PrimaryKey: { Arn: `arn:aws:kms:${primaryRegion}:${key.accountId}:key/${key.keyId}`, Region: primaryRegion },
      ReplicaKeys: state.replicasOf(primary).map((r) => ({ Arn: r.arn, Region: r.region })),
    };
  }
  return md;
}

function page<T>(items: T[], operation: string, scope: string, limit: number, marker: unknown): { items: T[]; nextMarker?: string } {
  let offset = 0;
  if (marker !== undefined && marker !== null) {
    const decoded = typeof marker === 'string' ? decodePageToken(marker, `${operation}/${scope}`) : undefined;
    if (decoded === undefined) throw new AwsError('InvalidMarkerException', 'Invalid marker');
    offset = decoded;
  }
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit;
  return next < items.length ? { items: slice, nextMarker: encodePageToken(next, `${operation}/${scope}`) } : { items: slice };
}

function paged(out: Output, p: { nextMarker?: string }): Output {
  if (p.nextMarker) return { ...out, NextMarker: p.nextMarker, Truncated: true };
  return { ...out, Truncated: false };
}

function stateError(key: KeyRecord): AwsError | undefined {
  switch (key.keyState) {
    case 'Enabled':
      return undefined;
    case 'Disabled':
      return new AwsError('DisabledException', `${key.arn} is disabled.`);
    case 'PendingDeletion':
      return new AwsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    case 'PendingImport':
      return new AwsError('KMSInvalidStateException', `${key.arn} is pending import.`);
    default:
      return new AwsError('KMSInvalidStateException', `${key.arn} is ${key.keyState}.`);
  }
}

/** Why automatic rotation cannot apply to this kind of key, if it cannot. */
function unsupportedForRotation(key: KeyRecord): AwsError | undefined {
  if (key.origin !== 'AWS_KMS') return new AwsError('UnsupportedOperationException', `${key.arn} origin is ${key.origin} which is not valid for this operation.`);
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') return new AwsError('UnsupportedOperationException', `${key.arn} key spec is ${key.keySpec} which is not valid for this operation.`);
  return undefined;
}

/** How long an on-demand rotation stays in progress in the simulator (AWS gives no figure; minutes). */
const ON_DEMAND_ROTATION_MS = 10 * 60_000;

function rotationStatus(ctx: KmsContext, key: KeyRecord): Output {
  const owner = ctx.state.rotationOwner(key);
  const started = owner.rotation.onDemandStartedAt;
  // GetKeyRotationStatus names the start of an on-demand rotation only while it is in progress.
  const onDemand = started && ctx.now.getTime() - started.getTime() < ON_DEMAND_ROTATION_MS ? { OnDemandRotationStartDate: epochSeconds(started) } : {};
  const enabled = owner.rotation.enabled && key.keyState !== 'PendingDeletion';
  if (!enabled) return { KeyRotationEnabled: false, KeyId: key.arn, ...onDemand };
  const anchor = owner.rotation.enabledAt ?? owner.creationDate;
  return {
    KeyRotationEnabled: true,
    KeyId: key.arn,
    ...onDemand,
    RotationPeriodInDays: owner.rotation.periodInDays,
    NextRotationDate: epochSeconds(nextRotationDate(anchor, owner.rotation.periodInDays, ctx.now)),
  };
}

function awsManagedDenied(ctx: KmsContext, key: KeyRecord, operation: string): AwsError {
  return new AwsError('AccessDeniedException',
    `User: ${ctx.caller.arn} is not authorized to perform: kms:${operation} on resource: ${key.arn} because the resource is an AWS managed key`);
}

function parseTags(input: Input, field: string): Record<string, string> {
  const raw = input.Tags;
  if (raw === undefined || raw === null) return {};
  if (!Array.isArray(raw)) throw validationError(field, raw, 'Member must be a list');
  const out: Record<string, string> = {};
  for (const t of raw as Array<{ TagKey?: unknown; TagValue?: unknown }>) {
    if (typeof t?.TagKey !== 'string' || typeof t?.TagValue !== 'string') throw new AwsError('TagException', 'Tags must have a TagKey and a TagValue');
    if (t.TagKey.startsWith('aws:')) throw new AwsError('TagException', 'Tag keys beginning with aws: are reserved');
    out[t.TagKey] = t.TagValue;
  }
  return out;
}

type Handler = (ctx: KmsContext, input: Input) => Output;

/**
 * What KMS answers first to a rotation write (Enable/DisableKeyRotation, RotateKeyOnDemand) that
 * the key cannot take: AWS-managed, its state, its kind, or a replica (`onReplica` says where to go).
 */
function refuseRotationWrite(ctx: KmsContext, key: KeyRecord, operation: string, onReplica: string): void {
  if (key.keyManager === 'AWS') throw awsManagedDenied(ctx, key, operation);
  const refused = stateError(key) ?? unsupportedForRotation(key);
  if (refused) throw refused;
  if (key.primaryRegion) throw new AwsError('UnsupportedOperationException', `${key.arn} is a multi-Region replica key. ${onReplica}`);
}

/** EnableKey and DisableKey: a customer-managed key between Enabled and Disabled (other states refuse). */
function switchKeyState(operation: 'EnableKey' | 'DisableKey', keyState: 'Enabled' | 'Disabled'): Handler {
  return (ctx, input) => {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), operation, false);
    if (key.keyManager === 'AWS') throw awsManagedDenied(ctx, key, operation);
    if (key.keyState !== 'Enabled' && key.keyState !== 'Disabled') throw stateError(key)!;
    ctx.state.setKeyState(key, keyState);
    return {};
  };
}

export const KMS_OPERATIONS: Record<string, Handler> = {
  ListKeys(ctx, input) {
    const limit = optionalInt(input, 'Limit', 'limit', 1, 1000) ?? KMS_DEFAULT_PAGE.ListKeys;
    const keys = ctx.state.keysIn(ctx.caller.accountId, ctx.region);
    const p = page(keys, 'ListKeys', `${ctx.caller.accountId}/${ctx.region}`, limit, input.Marker);
    return paged({ Keys: p.items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })) }, p);
  },

  ListAliases(ctx, input) {
    const limit = optionalInt(input, 'Limit', 'limit', 1, 100) ?? KMS_DEFAULT_PAGE.ListAliases;
    let aliases = [...ctx.state.aliasesIn(ctx.caller.accountId, ctx.region)].sort((a, b) => a.name.localeCompare(b.name));
    let scope = `${ctx.caller.accountId}/${ctx.region}`;
    if (input.KeyId !== undefined && input.KeyId !== null) {
      const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'ListAliases', false);
      aliases = aliases.filter((a) => a.targetKeyId === key.keyId);
      scope += `/${key.keyId}`;
    }
    const p = page(aliases, 'ListAliases', scope, limit, input.Marker);
    return paged({
      Aliases: p.items.map((a) => {
        const entry: Output = { AliasName: a.name, AliasArn: aliasArn(ctx.region, ctx.caller.accountId, a.name) };
        if (a.targetKeyId) {
          entry.TargetKeyId = a.targetKeyId;
          entry.CreationDate = epochSeconds(a.creationDate);
          entry.LastUpdatedDate = epochSeconds(a.lastUpdatedDate);
        }
        return entry;
      }),
    }, p);
  },

  DescribeKey(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'DescribeKey', true);
    return { KeyMetadata: keyMetadata(ctx.state, key) };
  },

  GetKeyRotationStatus(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'GetKeyRotationStatus', false);
    if (key.keyManager === 'AWS') {
      return rotationStatus(ctx, key);
    }
    if (key.keyState === 'PendingImport' || key.keyState === 'Unavailable') throw stateError(key)!;
    const unsupported = unsupportedForRotation(key);
    if (unsupported) throw unsupported;
    return rotationStatus(ctx, key);
  },

  EnableKeyRotation(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'EnableKeyRotation', false);
    const period = optionalInt(input, 'RotationPeriodInDays', 'rotationPeriodInDays', 90, 2560);
    refuseRotationWrite(ctx, key, 'EnableKeyRotation', `Rotation of a multi-Region key is set on its primary key in ${key.primaryRegion}.`);
    if (!ctx.ignoreEnableRotation) ctx.state.setRotation(key, true, period);
    return {};
  },

  RotateKeyOnDemand(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'RotateKeyOnDemand', false);
    refuseRotationWrite(ctx, key, 'RotateKeyOnDemand', 'On-demand rotation is started on its primary key.');
    const started = key.rotation.onDemandStartedAt;
    if (started && ctx.now.getTime() - started.getTime() < ON_DEMAND_ROTATION_MS) throw new AwsError('ConflictException', `An on-demand rotation of ${key.arn} is already in progress.`);
    key.rotation.onDemandStartedAt = ctx.now;
    return { KeyId: key.arn };
  },

  DisableKeyRotation(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'DisableKeyRotation', false);
    refuseRotationWrite(ctx, key, 'DisableKeyRotation', 'Rotation is set on its primary key.');
    ctx.state.setRotation(key, false);
    return {};
  },

  ListResourceTags(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'ListResourceTags', false);
    const limit = optionalInt(input, 'Limit', 'limit', 1, 50) ?? KMS_DEFAULT_PAGE.ListResourceTags;
    const tags = Object.entries(key.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
    const p = page(tags, 'ListResourceTags', key.arn, limit, input.Marker);
    return paged({ Tags: p.items }, p);
  },

  TagResource(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'TagResource', false);
    if (key.keyManager === 'AWS') throw awsManagedDenied(ctx, key, 'TagResource');
    if (key.keyState === 'PendingDeletion') throw stateError(key)!;
    Object.assign(key.tags, parseTags(input, 'tags'));
    return {};
  },

  UntagResource(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'UntagResource', false);
    if (key.keyManager === 'AWS') throw awsManagedDenied(ctx, key, 'UntagResource');
    const tagKeys = input.TagKeys;
    if (!Array.isArray(tagKeys)) throw validationError('tagKeys', tagKeys, 'Member must not be null');
    for (const k of tagKeys) delete key.tags[String(k)];
    return {};
  },

  CreateKey(ctx, input) {
    const spec = (input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as string;
    if (!(KEY_SPECS as readonly string[]).includes(spec)) throw validationError('keySpec', spec, `Member must satisfy enum value set: [${KEY_SPECS.join(', ')}]`);
    const usage = (input.KeyUsage ?? usagesForSpec(spec as KeySpec)[0]) as string;
    if (!(KEY_USAGES as readonly string[]).includes(usage)) throw validationError('keyUsage', usage, `Member must satisfy enum value set: [${KEY_USAGES.join(', ')}]`);
    if (!usagesForSpec(spec as KeySpec).includes(usage as KeyUsage)) {
      throw new AwsError('ValidationException', `KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
    }
    const origin = (input.Origin ?? (input.CustomKeyStoreId ? 'AWS_CLOUDHSM' : 'AWS_KMS')) as string;
    if (!(ORIGINS as readonly string[]).includes(origin)) throw validationError('origin', origin, `Member must satisfy enum value set: [${ORIGINS.join(', ')}]`);
    if ((origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE') && typeof input.CustomKeyStoreId !== 'string') {
      throw new AwsError('ValidationException', `A CustomKeyStoreId is required when Origin is ${origin}`);
    }
    const keyInput: Omit<KeyInput, 'region'> = {
      keySpec: spec as KeySpec,
      keyUsage: usage as KeyUsage,
      origin: origin as Origin,
      keyState: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
      description: typeof input.Description === 'string' ? input.Description : '',
      tags: parseTags(input, 'tags'),
      multiRegion: input.MultiRegion === true,
    };
    if (typeof input.CustomKeyStoreId === 'string') keyInput.customKeyStoreId = input.CustomKeyStoreId;
    let key: KeyRecord;
    try {
      key = ctx.state.createKey(ctx.caller.accountId, ctx.region, keyInput);
    } catch (e) {
      if (e instanceof ScenarioError) throw new AwsError('ValidationException', e.message);
      throw e;
    }
    return { KeyMetadata: keyMetadata(ctx.state, key) };
  },

  CreateAlias(ctx, input) {
    const name = requiredString(input, 'AliasName', 'aliasName');
    if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name)) throw validationError('aliasName', name, 'Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$');
    if (name.startsWith('alias/aws/')) throw new AwsError('NotAuthorizedException', 'alias/aws/ is reserved for AWS managed keys', 400);
    const key = resolveKey(ctx, requiredString(input, 'TargetKeyId', 'targetKeyId'), 'CreateAlias', false);
    const aliases = ctx.state.account(ctx.caller.accountId)!.aliases.get(ctx.region)!;
    if (aliases.some((a) => a.name === name)) throw new AwsError('AlreadyExistsException', `An alias with the name ${aliasArn(ctx.region, ctx.caller.accountId, name)} already exists`);
    aliases.push({ name, targetKeyId: key.keyId, creationDate: ctx.now, lastUpdatedDate: ctx.now });
    return {};
  },

  EnableKey: switchKeyState('EnableKey', 'Enabled'),
  DisableKey: switchKeyState('DisableKey', 'Disabled'),

  ScheduleKeyDeletion(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'ScheduleKeyDeletion', false);
    if (key.keyManager === 'AWS') throw awsManagedDenied(ctx, key, 'ScheduleKeyDeletion');
    const window = optionalInt(input, 'PendingWindowInDays', 'pendingWindowInDays', 7, 30) ?? 30;
    if (key.keyState === 'PendingDeletion') throw stateError(key)!;
    ctx.state.setKeyState(key, 'PendingDeletion', window);
    return { KeyId: key.arn, DeletionDate: epochSeconds(key.deletionDate!), KeyState: 'PendingDeletion', PendingWindowInDays: window };
  },

  UpdatePrimaryRegion(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'UpdatePrimaryRegion', false);
    const region = requiredString(input, 'PrimaryRegion', 'primaryRegion');
    if (!key.multiRegion) throw new AwsError('UnsupportedOperationException', `${key.arn} is not a multi-Region key.`);
    if (key.primaryRegion) throw new AwsError('UnsupportedOperationException', `${key.arn} is not a multi-Region primary key. Call UpdatePrimaryRegion in its primary Region, ${key.primaryRegion}.`);
    if (key.keyState !== 'Enabled' && key.keyState !== 'Disabled') throw stateError(key)!;
    if (region === key.region) throw new AwsError('ValidationException', `${region} is already the primary Region of ${key.arn}.`);
    if (!ctx.state.replicasOf(key).some((r) => r.region === region)) {
      throw notFound(`Key 'arn:aws:kms:${region}:${key.accountId}:key/${key.keyId}' does not exist`);
    }
    ctx.state.movePrimary(key, region);
    return {};
  },

  CancelKeyDeletion(ctx, input) {
    const key = resolveKey(ctx, requiredString(input, 'KeyId', 'keyId'), 'CancelKeyDeletion', false);
    if (key.keyState !== 'PendingDeletion') throw new AwsError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
    ctx.state.setKeyState(key, 'Disabled');
    return { KeyId: key.arn };
  },
};

/** The key id a KMS request names (for per-key call counts and key-scoped faults), if any. */
export function requestKeyId(input: Input): string | undefined {
  const v = input.KeyId ?? input.TargetKeyId;
  return typeof v === 'string' ? v : undefined;
}
