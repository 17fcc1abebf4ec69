// Drift between a run and the last run that covered the same keys (of the same scope, or one
// that scanned every account a scoped run asks for): which keys newly fell out of compliance,
// which regressed, which were resolved, and which exceptions expired in between. Pure: plain
// data in, plain data out; the caller (Finalize, `rotor drift`) reads the runs from the store.
//
// Keys are matched by keyArn. Statuses fall in three groups:
//   good   = COMPLIANT, REMEDIATED (rotation on), EXEMPT (an active exception covers the key)
//   bad    = NON_COMPLIANT, REMEDIATION_FAILED (rotation off)
//   out    = NOT_APPLICABLE, or the key is not listed at all
// A REMEDIATED key in the *current* run was found with rotation off by this run's scan (and then
// fixed), so for "what broke since last time" it counts as found off ("foundOff" below).
//
// The lists, and the edge cases decided here:
// - newNonCompliant: rotation off now (NON_COMPLIANT, REMEDIATION_FAILED) and the key was not
//   seen in the previous run, or was NOT_APPLICABLE there (it entered the scope: a new key, a key
//   that was enabled again...). With no previous run, every key with rotation off is new. A key
//   never seen before that this run found off and REMEDIATED is not: it needs nobody.
// - regressed: good in the previous run (COMPLIANT, REMEDIATED, or EXEMPT whose exception has
//   since expired or been removed), found off now. A key turned off and fixed again within the
//   same remediate run (COMPLIANT → REMEDIATED) is regressed too: someone turned rotation off.
// - resolved: bad in the previous run, and now COMPLIANT, REMEDIATED or NOT_APPLICABLE (deleted,
//   pending deletion, disabled), or no longer listed at all. A key that is no longer listed is
//   reported with its previous finding (its runId says so). A key that is not listed because its
//   account, or account and Region, could not be scanned this run (an error record) is NOT
//   resolved: we do not know. A key that became EXEMPT is not resolved either (rotation is still
//   off); the exceptions section of the report is where that shows.
// - expiredExceptions: exceptions whose expiry instant (end of their expiresAt day, UTC) falls
//   after the previous run started and on or before `now` (the current run's time). With no
//   previous run: every exception expired on or before `now`.
// - A key whose group did not change (bad → bad, good → good, including NON_COMPLIANT →
//   REMEDIATION_FAILED, or COMPLIANT → EXEMPT) is in none of the lists.
//
// Memory: one Map from keyArn to the previous finding of every good or bad key (NOT_APPLICABLE
// keys are not kept), shrinking as the current findings stream past; the current findings are
// never collected, only the ones that land in a list.
import { expiresAtMs } from './exceptions';
import { ATTENTION_STATUSES, type ErrorRecord, type ExceptionRecord, type Finding, type FindingStatus, type RunRecord } from './schemas';

export interface DriftRunInput {
  run: RunRecord;
  findings: Iterable<Finding> | AsyncIterable<Finding>;
  /** The run's error records: keys in a scope that could not be scanned are not "resolved". */
  errors?: Iterable<ErrorRecord>;
}

export interface Drift {
  runId: string;
  previousRunId: string | null;
  newNonCompliant: Finding[];
  regressed: Finding[];
  /** The current finding, or the previous run's finding when the key is no longer listed. */
  resolved: Finding[];
  expiredExceptions: ExceptionRecord[];
}

export interface DriftSummary {
  newNonCompliant: number;
  regressed: number;
  resolved: number;
  expiredExceptions: number;
}

const GOOD: ReadonlySet<FindingStatus> = new Set<FindingStatus>(['COMPLIANT', 'REMEDIATED', 'EXEMPT']);
const BAD: ReadonlySet<FindingStatus> = new Set<FindingStatus>(ATTENTION_STATUSES);
const FOUND_OFF: ReadonlySet<FindingStatus> = new Set<FindingStatus>(['NON_COMPLIANT', 'REMEDIATION_FAILED', 'REMEDIATED']);
const RESOLVED_TO: ReadonlySet<FindingStatus> = new Set<FindingStatus>(['COMPLIANT', 'REMEDIATED', 'NOT_APPLICABLE']);

/** What a candidate earlier run scanned: its input and, per account, the Regions and whether in full. */
export interface ScannedScope {
  input: Record<string, unknown>;
  summaries: readonly { accountId: string; scannedRegions: readonly string[]; scannedAt?: string }[];
}

const stringList = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined);

/**
 * Whether an earlier run covered every key a run scoped to some accounts asks for: it scanned
 * each of those accounts in full, over every Region asked for (or, asked for none, without a
 * Region limit of its own). A run of another scope that did (an org-wide rollout before a scoped
 * resume) is what the scoped run's drift compares with.
 */
export function coversScope(candidate: ScannedScope, wanted: { accounts: readonly string[]; regions?: readonly string[] }): boolean {
  const limited = stringList(candidate.input.regions);
  if (limited && (!wanted.regions || wanted.regions.some((r) => !limited.includes(r)))) return false;
  const byAccount = new Map(candidate.summaries.map((s) => [s.accountId, s]));
  return wanted.accounts.every((accountId) => {
    const s = byAccount.get(accountId);
    if (!s?.scannedAt) return false;
    return !wanted.regions || wanted.regions.every((r) => s.scannedRegions.includes(r));
  });
}


/** The scope key of an error record: an account, or an account and Region. */
function scopeKey(accountId: string, region?: string): string {
  return region ? `${accountId}/${region}` : accountId;
}

function inErroredScope(finding: Finding, errored: ReadonlySet<string>): boolean {
  return errored.has(scopeKey(finding.accountId)) || errored.has(scopeKey(finding.accountId, finding.region));
}

export async function computeDrift(
  current: DriftRunInput,
  previous: DriftRunInput | undefined,
  exceptions: readonly ExceptionRecord[],
  now: Date,
): Promise<Drift> {
  // The previous run's good and bad keys; NOT_APPLICABLE keys behave as absent, so are not kept.
  const previousByArn = new Map<string, Finding>();
  if (previous) {
    for await (const finding of previous.findings) {
      if (GOOD.has(finding.status) || BAD.has(finding.status)) previousByArn.set(finding.keyArn, finding);
      else previousByArn.delete(finding.keyArn);
    }
  }

  const erroredScopes = new Set<string>();
  for (const error of current.errors ?? []) erroredScopes.add(scopeKey(error.accountId, error.region));

  const drift: Drift = {
    runId: current.run.runId,
    previousRunId: previous?.run.runId ?? null,
    newNonCompliant: [],
    regressed: [],
    resolved: [],
    expiredExceptions: [],
  };

  for await (const finding of current.findings) {
    const before = previousByArn.get(finding.keyArn);
    // Seen now: what is left in the map at the end was not listed by this run.
    previousByArn.delete(finding.keyArn);
    if (!before) {
      if (BAD.has(finding.status)) drift.newNonCompliant.push(finding);
    } else if (GOOD.has(before.status)) {
      if (FOUND_OFF.has(finding.status)) drift.regressed.push(finding);
    } else if (RESOLVED_TO.has(finding.status)) {
      drift.resolved.push(finding);
    }
  }

  for (const before of previousByArn.values()) {
    if (BAD.has(before.status) && !inErroredScope(before, erroredScopes)) drift.resolved.push(before);
  }

  const since = previous ? Date.parse(previous.run.startedAt) : Number.NEGATIVE_INFINITY;
  const until = now.getTime();
  drift.expiredExceptions = exceptions.filter((exception) => {
    const expiry = expiresAtMs(exception);
    return expiry > since && expiry <= until;
  });

  return drift;
}

/** The counts a metric or a notification needs. */
export function driftSummary(drift: Drift): DriftSummary {
  return {
    newNonCompliant: drift.newNonCompliant.length,
    regressed: drift.regressed.length,
    resolved: drift.resolved.length,
    expiredExceptions: drift.expiredExceptions.length,
  };
}
