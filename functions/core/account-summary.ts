// What the store keeps of one account in one run instead of its keys: the Regions it scanned, its
// counts per status, and each wave's outcome. Planning, the gate and Finalize work from these,
// so they touch a number of items that grows with accounts, never with keys. Pure.
import * as z from 'zod';
import { ACCOUNT_ID, FINDING_STATUSES, FindingStatus, type Finding } from './schemas';

export const StatusCounts = z.partialRecord(FindingStatus, z.number().int().nonnegative());
export type StatusCounts = z.infer<typeof StatusCounts>;

export const AccountSummary = z.object({
  runId: z.string(),
  accountId: z.string().regex(ACCOUNT_ID),
  name: z.string().default(''),
  priority: z.boolean().default(false),
  /** The Regions this run scans in the account (enabled and asked for). */
  regions: z.array(z.string()).default([]),
  /** Every Region enabled in the account, which --regions may narrow: coverage sets the scanned ones against it. */
  enabledRegions: z.array(z.string()).optional(),
  /** The Regions whose findings and error records are written. */
  scannedRegions: z.array(z.string()).default([]),
  /** Set when every Region of `regions` is scanned. */
  scannedAt: z.string().optional(),
  /** Findings per status as the scan found them. */
  counts: StatusCounts.default({}),
  /** Scan error records of the account (Regions and keys that could not be read). */
  errorCount: z.number().int().nonnegative().default(0),
  /** Set when the account's scan failed for good (its error record says why). */
  failed: z.boolean().optional(),
  /** The account's drift as the scan found it, against the run's previous run of the same scope. */
  drift: z.object({ newNonCompliant: z.number().int(), regressed: z.number().int(), resolved: z.number().int() }).optional(),
});
export type AccountSummary = z.infer<typeof AccountSummary>;

/** The outcome of one account's slice of a wave: its keys per status after remediation. */
export const WaveOutcome = z.object({
  runId: z.string(),
  accountId: z.string().regex(ACCOUNT_ID),
  wave: z.number().int().positive(),
  /** How many keys of the account the wave holds. */
  keys: z.number().int().nonnegative(),
  counts: StatusCounts,
});
export type WaveOutcome = z.infer<typeof WaveOutcome>;

export function statusCounts(findings: Iterable<Pick<Finding, 'status'>>): StatusCounts {
  const counts: StatusCounts = {};
  for (const f of findings) counts[f.status] = (counts[f.status] ?? 0) + 1;
  return ordered(counts);
}

/** Adds counts together, in the order of FINDING_STATUSES, leaving out zeros. */
export function addCounts(...all: StatusCounts[]): StatusCounts {
  const sum: StatusCounts = {};
  for (const counts of all) for (const [status, n] of Object.entries(counts) as [FindingStatus, number][]) sum[status] = (sum[status] ?? 0) + n;
  return ordered(sum);
}

function ordered(counts: StatusCounts): StatusCounts {
  return Object.fromEntries(FINDING_STATUSES.filter((s) => (counts[s] ?? 0) !== 0).map((s) => [s, counts[s]]));
}

/**
 * An account's counts at the end of the run: what the scan found, with each wave's keys moved
 * from NON_COMPLIANT to their outcome. A wave that never ran leaves its keys NON_COMPLIANT.
 */
export function finalCounts(summary: Pick<AccountSummary, 'counts'>, outcomes: readonly Pick<WaveOutcome, 'keys' | 'counts'>[]): StatusCounts {
  const moved = outcomes.map((o) => addCounts(o.counts, { NON_COMPLIANT: -o.keys }));
  return addCounts(summary.counts, ...moved);
}

/** A wave's outcome for the gate: a key still NON_COMPLIANT was never attempted and counts against it. */
export function waveTally(outcomes: readonly Pick<WaveOutcome, 'keys' | 'counts'>[], keysInWave: number): { remediated: number; failed: number } {
  const counts = addCounts(...outcomes.map((o) => o.counts));
  const recorded = outcomes.reduce((n, o) => n + o.keys, 0);
  const remediated = counts.REMEDIATED ?? 0;
  const failed = (counts.REMEDIATION_FAILED ?? 0) + (counts.NON_COMPLIANT ?? 0) + (keysInWave - recorded);
  return { remediated, failed };
}

/** A run's counts per status: every account's final counts added up. */
export function runCounts(summaries: readonly Pick<AccountSummary, 'accountId' | 'counts'>[], outcomes: readonly Pick<WaveOutcome, 'accountId' | 'keys' | 'counts'>[]): StatusCounts {
  const byAccount = new Map<string, Pick<WaveOutcome, 'keys' | 'counts'>[]>();
  for (const o of outcomes) byAccount.set(o.accountId, [...(byAccount.get(o.accountId) ?? []), o]);
  return addCounts(...summaries.map((s) => finalCounts(s, byAccount.get(s.accountId) ?? [])));
}
