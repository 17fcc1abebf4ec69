// The drift of a stored run against the last completed run that covered the same keys, computed one
// account at a time (two accounts' findings in memory, never a run's): the one query that
// Finalize (to publish counts) and `rotor drift` (to show) both use.
import { computeDrift, coversScope, type Drift, type DriftRunInput } from '../core/drift';
import type { ErrorRecord, RunRecord } from '../core/schemas';
import { isCompleted } from '../core/runs';
import type { ResultsStore } from './results-store';

/** Accounts whose two scans are read at once. */
export const DRIFT_CONCURRENCY = 16;

/** Earlier runs of another scope whose accounts are read to see whether they covered a scoped run's. */
export const COVERING_CANDIDATES = 10;

const accountsAskedFor = (run: RunRecord): string[] | undefined => {
  const accounts = run.input.accounts;
  return Array.isArray(accounts) && accounts.length > 0 ? accounts.filter((a): a is string => typeof a === 'string') : undefined;
};

/**
 * The last completed run, started before `run`, that covered the same keys: one of the same
 * scope, or, for a run scoped to some accounts (a resume of a halted rollout), one that scanned
 * every one of them in full over the Regions asked for (the newest of the two kinds).
 */
export async function previousRunOf(store: ResultsStore, run: RunRecord): Promise<RunRecord | undefined> {
  // Fixed when the run started (ValidateInput): what its scans compared with.
  if (run.previousRunId) return store.getRun(run.previousRunId);
  const accounts = accountsAskedFor(run);
  const regions = Array.isArray(run.input.regions) ? (run.input.regions as string[]) : undefined;
  let checked = 0;
  for await (const candidate of store.runs()) {
    if (candidate.runId === run.runId || candidate.startedAt >= run.startedAt || !isCompleted(candidate.status)) continue;
    if (candidate.scope === run.scope) return candidate;
    if (accounts && checked++ < COVERING_CANDIDATES) {
      const { summaries } = await store.accountsOfRun(candidate.runId);
      if (coversScope({ input: candidate.input, summaries }, { accounts, regions })) return candidate;
    }
  }
  return undefined;
}

/**
 * The run's drift account by account, and last the drift that belongs to no account (the
 * exceptions that expired in between). Keys are matched within their account, as a key ARN
 * names its account.
 */
export async function* accountDrifts(store: ResultsStore, run: RunRecord, previous: RunRecord | undefined, now: Date, only?: (accountId: string) => boolean): AsyncGenerator<Drift> {
  const errorsByAccount = new Map<string, ErrorRecord[]>();
  for (const e of await store.errors(run.runId)) errorsByAccount.set(e.accountId, [...(errorsByAccount.get(e.accountId) ?? []), e]);
  const current = await store.accountsOfRun(run.runId);
  const before = previous ? await store.accountsOfRun(previous.runId) : undefined;
  const slices = await store.slicesByAccount(run.runId);
  const accountIds = [...new Set([...current.summaries, ...(before?.summaries ?? [])].map((s) => s.accountId))].filter((id) => !only || only(id)).sort();
  const driftOf = async (accountId: string): Promise<Drift> => {
    const { findings } = await store.accountFindings(run.runId, accountId, slices.get(accountId));
    const currentInput: DriftRunInput = { run, findings, errors: errorsByAccount.get(accountId) ?? [] };
    const previousInput = previous && { run: previous, findings: (await store.accountFindings(previous.runId, accountId)).findings };
    return computeDrift(currentInput, previousInput, [], now);
  };
  // DRIFT_CONCURRENCY accounts at a time: 10,000 accounts read one by one would outlast Finalize.
  for (let i = 0; i < accountIds.length; i += DRIFT_CONCURRENCY) {
    yield* await Promise.all(accountIds.slice(i, i + DRIFT_CONCURRENCY).map(driftOf));
  }
  yield await computeDrift({ run, findings: [] }, previous && { run: previous, findings: [] }, await store.exceptions(), now);
}

/** The run's whole drift (its lists held in memory: for `rotor drift` and reports). */
export async function driftOfRun(store: ResultsStore, run: RunRecord, now: Date): Promise<Drift> {
  const previous = await previousRunOf(store, run);
  const drift: Drift = { runId: run.runId, previousRunId: previous?.runId ?? null, newNonCompliant: [], regressed: [], resolved: [], expiredExceptions: [] };
  for await (const part of accountDrifts(store, run, previous, now)) {
    drift.newNonCompliant.push(...part.newNonCompliant);
    drift.regressed.push(...part.regressed);
    drift.resolved.push(...part.resolved);
    drift.expiredExceptions.push(...part.expiredExceptions);
  }
  return drift;
}
