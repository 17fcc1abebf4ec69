// Request-rate limits of the simulated services: token buckets per account + Region + operation
// at the real KMS quotas, and a seeded random generator for the "throttling storm".

/** KMS request quotas per account per Region (requests per second), as AWS documents them. */
export const DEFAULT_QUOTAS: Readonly<Record<string, number>> = {
  DescribeKey: 2000,
  GetKeyRotationStatus: 1000,
  ListKeys: 500,
  ListAliases: 500,
  ListResourceTags: 2000,
  EnableKeyRotation: 15,
  DisableKeyRotation: 15,
  CreateKey: 50,
  CreateAlias: 50,
  TagResource: 50,
  UntagResource: 50,
  EnableKey: 5,
  DisableKey: 5,
  ScheduleKeyDeletion: 5,
  CancelKeyDeletion: 5,
};

/** A bucket that holds up to one second of requests and refills at `ratePerSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly ratePerSecond: number, nowMs: number) {
    this.tokens = ratePerSecond;
    this.last = nowMs;
  }

  /** Takes a token if one is there; false means throttled. */
  take(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.last) / 1000;
    this.last = nowMs;
    this.tokens = Math.min(this.ratePerSecond, this.tokens + elapsed * this.ratePerSecond);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private quotas: Record<string, number> | false) {}

  setQuotas(quotas: Record<string, number> | false): void {
    this.quotas = quotas;
    this.buckets.clear();
  }

  /** True when the request may go on; false when it is throttled. */
  admit(accountId: string, region: string, operation: string, nowMs: number): boolean {
    if (this.quotas === false) return true;
    const quota = this.quotas[operation];
    if (quota === undefined) return true;
    const id = `${accountId}|${region}|${operation}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(quota, nowMs);
      this.buckets.set(id, bucket);
    }
    return bucket.take(nowMs);
  }
}

/** Quotas in force: the defaults with overrides, or false for none. */
export function resolveQuotas(overrides: Partial<Record<string, number>> | false | undefined): Record<string, number> | false {
  if (overrides === false) return false;
  const out: Record<string, number> = { ...DEFAULT_QUOTAS };
  for (const [op, v] of Object.entries(overrides ?? {})) {
    if (v === undefined) continue;
    if (!(typeof v === 'number' && v > 0)) throw new Error(`quotas.${op}: must be a positive number of requests per second, got ${String(v)}`);
    out[op] = v;
  }
  return out;
}

/** mulberry32: a small seeded generator, so a storm with the same seed throttles the same calls. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
