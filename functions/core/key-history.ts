// A key's history is kept as changes: a scan writes an item for a key only when its state differs
// from the account's previous scan (a new key, a new status, a key gone or unreadable), plus a
// checkpoint when its last item is about to expire. A daily scan of an unchanged Organization
// writes next to nothing per key, and the state of a key in any run is its latest change. Pure.
import type { ErrorRecord, Finding, KeyChange } from './schemas';

export interface AccountScanState {
  findings: readonly Finding[];
  /** Error records of single keys (those with keyId and keyArn): the key exists but was not read. */
  errors: readonly ErrorRecord[];
}

/** What makes two findings of a key the same state: status, its reason, the rotation period, the exception. */
function stateOf(f: Finding): string {
  return JSON.stringify([f.status, f.reason ?? '', f.rotationPeriodInDays ?? null, f.exception?.expiresAt ?? null]);
}

const scopeOf = (region: string, keyId: string) => `${region}/${keyId}`;

/**
 * The changes between an account's previous scan and this one, over the Regions this one
 * scanned (a Region not scanned now says nothing about its keys). Each current finding comes
 * back with `historyAt`: when its latest history item was written. `checkpointBefore`: an
 * unchanged key whose latest item is older than this gets a checkpoint, so that expiry (TTL)
 * never removes the only item that says what the key is.
 */
export function keyChanges(
  previous: AccountScanState | undefined,
  current: AccountScanState & { runId: string; accountId: string; scannedRegions: readonly string[] },
  now: Date,
  checkpointBefore: Date,
): { changes: KeyChange[]; findings: Finding[] } {
  const regions = new Set(current.scannedRegions);
  const before = new Map<string, Finding>();
  const unreadableBefore = new Set<string>();
  for (const f of previous?.findings ?? []) if (regions.has(f.region)) before.set(scopeOf(f.region, f.keyId), f);
  for (const e of previous?.errors ?? []) if (e.keyId && e.region && regions.has(e.region)) unreadableBefore.add(scopeOf(e.region, e.keyId));

  const at = now.toISOString();
  const changes: KeyChange[] = [];
  const findings: Finding[] = [];
  for (const finding of current.findings) {
    const scope = scopeOf(finding.region, finding.keyId);
    const prior = before.get(scope);
    before.delete(scope);
    const base = { keyArn: finding.keyArn, runId: current.runId, accountId: current.accountId, region: finding.region, keyId: finding.keyId, at: finding.scannedAt };
    if (!prior || unreadableBefore.has(scope) || stateOf(prior) !== stateOf(finding)) {
      const withHistory = { ...finding, historyAt: at };
      changes.push({ ...base, kind: prior ? 'changed' : 'new', finding: withHistory });
      findings.push(withHistory);
    } else if (!prior.historyAt || Date.parse(prior.historyAt) < checkpointBefore.getTime()) {
      const withHistory = { ...finding, historyAt: at };
      changes.push({ ...base, kind: 'checkpoint', finding: withHistory });
      findings.push(withHistory);
    } else {
      findings.push({ ...finding, historyAt: prior.historyAt });
    }
  }
  for (const e of current.errors) {
    if (!e.keyId || !e.region || !e.keyArn) continue;
    const scope = scopeOf(e.region, e.keyId);
    const prior = before.get(scope);
    before.delete(scope);
    if (prior) changes.push({ keyArn: e.keyArn, runId: current.runId, accountId: current.accountId, region: e.region, keyId: e.keyId, kind: 'unreadable', at: e.at });
  }
  for (const prior of before.values()) {
    changes.push({ keyArn: prior.keyArn, runId: current.runId, accountId: current.accountId, region: prior.region, keyId: prior.keyId, kind: 'gone', at });
  }
  return { changes, findings };
}

/** The history item a remediation outcome writes: the key's state changed within the run. */
export function outcomeChange(finding: Finding, at: string): KeyChange {
  return { keyArn: finding.keyArn, runId: finding.runId, accountId: finding.accountId, region: finding.region, keyId: finding.keyId, kind: 'changed', at, finding };
}

export interface RunOfKey {
  runId: string;
  startedAt: string;
  /** Whether the run scanned the key's account and Region, and when. */
  scanned: { at: string } | undefined;
}

/**
 * The key's finding in each run that scanned its account and Region, oldest first: the state of
 * its latest change at or before that run (changes ordered by their run's start, then time).
 * A run in which the key was gone or unreadable lists nothing, as it listed no finding.
 */
export function historyOfKey(changes: readonly KeyChange[], runs: readonly RunOfKey[]): Finding[] {
  const startOf = new Map(runs.map((r) => [r.runId, r.startedAt]));
  const ordered = changes
    .filter((c) => startOf.has(c.runId))
    .sort((a, b) => startOf.get(a.runId)!.localeCompare(startOf.get(b.runId)!) || a.at.localeCompare(b.at));
  const out: Finding[] = [];
  let i = 0;
  let state: KeyChange | undefined;
  for (const run of [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    while (i < ordered.length && startOf.get(ordered[i].runId)! <= run.startedAt) state = ordered[i++];
    if (!run.scanned || !state?.finding) continue;
    const fromThisRun = state.runId === run.runId;
    out.push(fromThisRun ? state.finding : { ...state.finding, runId: run.runId, scannedAt: run.scanned.at, wave: undefined, enableRequestedAt: undefined, remediatedAt: undefined });
  }
  return out;
}

/**
 * A key's run findings with the findings its handled events recorded (continuous enforcement),
 * in time order: an event is not a run, so it appears once, at the time it was handled.
 */
export function withEventFindings(runFindings: readonly Finding[], events: readonly { finding?: Finding }[]): Finding[] {
  const fromEvents = events.flatMap((e) => (e.finding ? [e.finding] : []));
  return [...runFindings, ...fromEvents].sort((a, b) => a.scannedAt.localeCompare(b.scannedAt));
}
