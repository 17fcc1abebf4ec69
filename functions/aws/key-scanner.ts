// Scans one account's Region: lists keys and aliases, describes only what aliases do not tell,
// and asks the rotation status only of keys in scope (at most two calls per in-scope key, three
// when the run reads key tags).
import {
  DescribeKeyCommand,
  GetKeyRotationStatusCommand,
  paginateListAliases,
  paginateListKeys,
  paginateListResourceTags,
  type KMSClient,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { keyScope, type RotationState } from '../core/classify';
import type { KeyFacts } from '../core/schemas';
import { describeError, isThrottling } from './errors';
import { mapWithConcurrency } from './pool';

/** Per-Region parallelism for DescribeKey/GetKeyRotationStatus: well under their quotas. */
const KEY_CONCURRENCY = 8;

export interface ScannedKey {
  facts: KeyFacts;
  aliases: string[];
  /** Present for keys in scope. */
  rotation?: RotationState;
  /** The key's tags: for keys in scope, when asked for. */
  tags?: Record<string, string>;
  /** Why this key could not be read (e.g. a key policy that does not let the account describe it). */
  error?: string;
}

export function factsFromMetadata(meta: KeyMetadata): KeyFacts {
  return {
    keyId: meta.KeyId!,
    keyArn: meta.Arn!,
    keyManager: meta.KeyManager,
    keySpec: meta.KeySpec,
    keyUsage: meta.KeyUsage,
    origin: meta.Origin,
    keyState: meta.KeyState,
    customKeyStoreId: meta.CustomKeyStoreId,
    multiRegion: meta.MultiRegion,
    multiRegionKeyType: meta.MultiRegionConfiguration?.MultiRegionKeyType,
    primaryKeyArn: meta.MultiRegionConfiguration?.PrimaryKey?.Arn,
  };
}

export async function readRotation(kms: KMSClient, keyId: string): Promise<RotationState> {
  const out = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
  return {
    enabled: out.KeyRotationEnabled === true,
    periodInDays: out.RotationPeriodInDays,
    nextRotationDate: out.NextRotationDate?.toISOString(),
    onDemandRotationStartDate: out.OnDemandRotationStartDate?.toISOString(),
  };
}

/** A key's tags, every page of them. */
export async function readTags(kms: KMSClient, keyId: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  for await (const page of paginateListResourceTags({ client: kms }, { KeyId: keyId, Limit: 50 })) {
    for (const t of page.Tags ?? []) if (t.TagKey !== undefined) tags[t.TagKey] = t.TagValue ?? '';
  }
  return tags;
}

export interface RegionScanOptions {
  /** Read the tags of the keys in scope (one call more per key). */
  readTags?: boolean;
}

export async function scanRegion(kms: KMSClient, options: RegionScanOptions = {}): Promise<ScannedKey[]> {
  const keys: { KeyId: string; KeyArn: string }[] = [];
  for await (const page of paginateListKeys({ client: kms }, { Limit: 1000 })) {
    for (const k of page.Keys ?? []) if (k.KeyId && k.KeyArn) keys.push({ KeyId: k.KeyId, KeyArn: k.KeyArn });
  }
  const aliases = new Map<string, string[]>();
  for await (const page of paginateListAliases({ client: kms }, { Limit: 100 })) {
    for (const a of page.Aliases ?? []) {
      if (a.TargetKeyId && a.AliasName) aliases.set(a.TargetKeyId, [...(aliases.get(a.TargetKeyId) ?? []), a.AliasName]);
    }
  }
  return mapWithConcurrency(keys, KEY_CONCURRENCY, async ({ KeyId, KeyArn }): Promise<ScannedKey | undefined> => {
    const keyAliases = (aliases.get(KeyId) ?? []).sort();
    // An alias under alias/aws/ exists only for AWS-managed keys: no DescribeKey needed.
    if (keyAliases.some((a) => a.startsWith('alias/aws/'))) {
      return { facts: { keyId: KeyId, keyArn: KeyArn, keyManager: 'AWS', awsManagedByAlias: true }, aliases: keyAliases };
    }
    try {
      const described = await kms.send(new DescribeKeyCommand({ KeyId }));
      const facts = factsFromMetadata(described.KeyMetadata!);
      const inScope = keyScope(facts).inScope;
      const rotation = inScope ? await readRotation(kms, KeyId) : undefined;
      const tags = inScope && options.readTags ? await readTags(kms, KeyId) : undefined;
      return { facts, aliases: keyAliases, rotation, ...(tags && { tags }) };
    } catch (error) {
      // Throttling fails the Region (retried as a whole); a key deleted since ListKeys is simply
      // gone; anything else is this key's alone.
      if (isThrottling(error)) throw error;
      if ((error as Error).name === 'NotFoundException') return undefined;
      return { facts: { keyId: KeyId, keyArn: KeyArn }, aliases: keyAliases, error: describeError(error) };
    }
  }).then((scanned) => scanned.filter((k): k is ScannedKey => k !== undefined));
}
