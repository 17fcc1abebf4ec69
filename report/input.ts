// Gathers what a report of one run needs from the store: the run, its findings (streamed, not
// held), error records, its coverage, exceptions, account names, the wave plan, the runs before it
// and the events continuous enforcement handled around it.
import { runCoverage } from '../functions/core/coverage';
import type { Drift } from '../functions/core/drift';
import type { ReportInput, RunHistoryPoint } from './index';
import type { RunRecord } from '../functions/core/schemas';
import type { ResultsStore } from '../functions/store/results-store';
import { driftOfRun, previousRunOf } from '../functions/store/run-drift';
import { keyEventsFor } from '../functions/store/run-key-events';

/** How many earlier runs of the same scope the compliance chart shows. */
const HISTORY_RUNS = 12;

/** Drift belongs in a report once there is an earlier finished run of the same scope to compare with. */
async function reportDrift(store: ResultsStore, run: RunRecord, now: Date): Promise<Drift | undefined> {
  if (run.status === 'RUNNING' || run.status === 'INTERRUPTED') return undefined;
  const drift = await driftOfRun(store, run, now);
  return drift.previousRunId ? drift : undefined;
}

export async function reportInputFor(store: ResultsStore, run: RunRecord, now: Date): Promise<ReportInput> {
  const accounts: Record<string, { name: string }> = {};
  const { summaries } = await store.accountsOfRun(run.runId);
  for (const a of summaries) accounts[a.accountId] = { name: a.name };
  const errors = await store.errors(run.runId);
  const wavePlan = [];
  for await (const w of store.waves(run.runId)) wavePlan.push({ wave: w.wave, keys: w.keyCount, accounts: w.accounts.length });
  const history: RunHistoryPoint[] = [];
  for await (const r of store.runs()) {
    if (history.length >= HISTORY_RUNS) break;
    if (r.scope === run.scope && r.startedAt <= run.startedAt && r.status !== 'RUNNING' && r.status !== 'INTERRUPTED') {
      history.push({ runId: r.runId, startedAt: r.startedAt, mode: r.mode, summary: r.summary });
    }
  }
  // A run that was never finalized has no summary yet: count what it found.
  if (run.status === 'RUNNING' || run.status === 'INTERRUPTED') run = { ...run, summary: await store.countByStatus(run.runId) };
  return {
    run,
    findings: () => store.findings(run.runId),
    errors,
    coverage: runCoverage(run, summaries, errors),
    exceptions: await store.exceptions(),
    accounts,
    history: history.reverse(),
    wavePlan,
    drift: await reportDrift(store, run, now),
    keyEvents: await keyEventsFor(store, run, await previousRunOf(store, run), now),
    now,
  };
}
