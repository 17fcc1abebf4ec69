// The drift of a stored run against the previous completed run of the same scope: the one
// query that Finalize (to publish) and `rotor drift` (to show) both use.
import { computeDrift, type Drift } from '../core/drift';
import type { RunRecord } from '../core/schemas';
import type { ResultsStore } from './results-store';

const COMPLETED = new Set(['SUCCEEDED', 'HALTED']);

/** The newest completed run of `run`'s scope that started before it. */
export async function previousRunOf(store: ResultsStore, run: RunRecord): Promise<RunRecord | undefined> {
  for await (const candidate of store.runs()) {
    if (candidate.runId === run.runId || candidate.startedAt >= run.startedAt) continue;
    if (candidate.scope === run.scope && COMPLETED.has(candidate.status)) return candidate;
  }
  return undefined;
}

export async function driftOfRun(store: ResultsStore, run: RunRecord, now: Date): Promise<Drift> {
  const previous = await previousRunOf(store, run);
  return computeDrift(
    { run, findings: store.findings(run.runId), errors: await store.errors(run.runId) },
    previous && { run: previous, findings: store.findings(previous.runId), errors: await store.errors(previous.runId) },
    await store.exceptions(),
    now,
  );
}
