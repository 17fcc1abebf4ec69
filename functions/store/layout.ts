// The results table's item keys, defined once: the store builds every key here, and the IAM
// conditions (dynamodb:LeadingKeys) and docs/architecture.md name the same prefixes.
//
// Per-run items are spread so that no partition takes more than a small share of a run's writes:
// account summaries and error records over SHARDS partitions by a hash of the account id, a
// remediation's per-key items in a partition of their own per account, a key's history in a
// partition per key. Only the run record, the wave plan and the exceptions share a partition.
import type { ErrorRecord } from '../core/schemas';

/** Partitions that a run's account summaries (and error records) are spread over. */
export const SHARDS = 16;

/** FNV-1a of the account id, modulo SHARDS: stable, and even over real (random) account ids. */
export function shardOf(accountId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) {
    hash ^= accountId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SHARDS;
}

/** The sort-key prefix of a handled event in a key's partition (run ids never start with it: they are time-stamped). */
export const EVENT_SK_PREFIX = 'EVENT#';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The leading part of every key: what an IAM LeadingKeys condition can match. */
export const PREFIX = {
  run: 'RUN#',
  history: 'KEY#',
  latest: 'ACCOUNT#',
  exception: 'EXCEPTION',
} as const;

export const keys = {
  /** The run record (sk RUN) and its wave plan (sk WAVE#…). */
  run: (runId: string) => ({ pk: `RUN#${runId}`, sk: 'RUN' }),
  wave: (runId: string, wave: number) => ({ pk: `RUN#${runId}`, sk: `WAVE#${pad(wave, 6)}` }),
  /** Account summaries and wave outcomes of a run, one partition per shard. */
  accountsPartition: (runId: string, shard: number) => `RUN#${runId}#ACCOUNTS#${pad(shard, 2)}`,
  accountSummary: (runId: string, accountId: string) => ({ pk: keys.accountsPartition(runId, shardOf(accountId)), sk: accountId }),
  waveOutcome: (runId: string, accountId: string, wave: number) => ({ pk: keys.accountsPartition(runId, shardOf(accountId)), sk: `${accountId}#WAVE#${pad(wave, 6)}` }),
  /** Error records of a run, one partition per shard. */
  errorsPartition: (runId: string, shard: number) => `RUN#${runId}#ERRORS#${pad(shard, 2)}`,
  error: (e: ErrorRecord) => ({
    pk: keys.errorsPartition(e.runId, shardOf(e.accountId)),
    // One record per scope and step: a later wave's failure does not overwrite an earlier one's.
    sk: [e.accountId, e.region ?? '-', e.phase, e.wave === undefined ? undefined : pad(e.wave, 6), e.keyId].filter((p) => p !== undefined).join('#'),
  }),
  /** A remediation's per-key state (intent, then outcome), one partition per account of a run. */
  remediationPartition: (runId: string, accountId: string) => `RUN#${runId}#KEYS#${accountId}`,
  remediation: (runId: string, accountId: string, region: string, keyId: string) => ({ pk: keys.remediationPartition(runId, accountId), sk: `${region}#${keyId}` }),
  /** A key's history: one item per change, in a partition per key. */
  historyPartition: (keyArn: string) => `KEY#${keyArn}`,
  history: (keyArn: string, runId: string, source: 'scan' | 'remediation') => ({ pk: keys.historyPartition(keyArn), sk: `${runId}#${source}` }),
  /** A handled event of a key (continuous enforcement), beside its history: the event id deduplicates deliveries. */
  event: (keyArn: string, eventId: string) => ({ pk: keys.historyPartition(keyArn), sk: `${EVENT_SK_PREFIX}${eventId}` }),
  /** The run that last scanned an account: what its next scan compares with. */
  latestScan: (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'LATEST' }),
  exception: (target: string) => ({ pk: 'EXCEPTION', sk: target }),
  /** The index of runs, newest first. */
  runsIndex: (startedAt: string, runId: string) => ({ gsi1pk: 'RUNS', gsi1sk: `${startedAt}#${runId}` }),
  /** The same index over handled events, one partition per UTC day of handling: what a report reads between two runs. */
  eventsIndex: (handledAt: string, eventId: string) => ({ gsi1pk: eventsDayPartition(handledAt), gsi1sk: `${handledAt}#${eventId}` }),
};

/** The index partition of the events handled on the UTC day of `at` (an ISO time). */
export const eventsDayPartition = (at: string) => `EVENTS#${at.slice(0, 10)}`;

/** Where an account's scan of a run is kept in the object store. */
export const accountScanKey = (runId: string, accountId: string) => `scans/${runId}/${accountId}.json`;

/** The object prefix of every run's scans: what the bucket's lifecycle rule expires. */
export const SCANS_PREFIX = 'scans/';
