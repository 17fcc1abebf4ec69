// Deterministic identifiers for the simulated organization: key ids, multi-Region key ids,
// custom key store ids and credentials are derived from a seed string, so a scenario loaded twice
// has the same ids and tests can name them.
import { createHash } from 'node:crypto';

export function hashHex(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** A version-4-shaped UUID derived from the seed (the shape of a single-Region KMS key id). */
export function stableUuid(seed: string): string {
  const h = hashHex(seed);
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A multi-Region key id: `mrk-` followed by 32 hex digits. */
export function stableMultiRegionKeyId(seed: string): string {
  return `mrk-${hashHex(seed).slice(0, 32)}`;
}

export function stableCustomKeyStoreId(seed: string): string {
  return `cks-${hashHex(seed).slice(0, 17)}`;
}

export function stableCloudHsmClusterId(seed: string): string {
  return `cluster-${hashHex(seed).slice(0, 11)}`;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Upper-case base32 characters derived from the seed, as AWS access key ids use. */
export function stableKeyChars(seed: string, length: number): string {
  const h = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; out.length < length; i++) out += BASE32[h[i % h.length] % 32];
  return out;
}

/** A 40-character secret derived from the seed. */
export function stableSecret(seed: string): string {
  return createHash('sha256').update(`secret:${seed}`).digest('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 40);
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MRK_PATTERN = /^mrk-[0-9a-f]{32}$/;

export function isKeyIdShaped(value: string): boolean {
  return UUID_PATTERN.test(value) || MRK_PATTERN.test(value);
}
