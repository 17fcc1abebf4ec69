// The key events of a stored run (functions/core/run-key-events.ts) read from the results store:
// its window from the runs around it, then the events handled in that window by the index, never
// the findings. What reports, `rotor drift` and Finalize list.
import { isCompleted } from '../core/runs';
import { eventWindow, keyEventsOf, type KeyEvents } from '../core/run-key-events';
import type { RunRecord } from '../core/schemas';
import type { ResultsStore } from './results-store';

/** The first completed run of the same scope started after `run`: where the run's event window ends. */
async function nextRunOf(store: ResultsStore, run: RunRecord): Promise<RunRecord | undefined> {
  let next: RunRecord | undefined;
  for await (const candidate of store.runs()) {
    if (candidate.startedAt <= run.startedAt) break;
    if (candidate.scope === run.scope && isCompleted(candidate.status)) next = candidate;
  }
  return next;
}

/**
 * The events handled from the start of `previous` (the last run that covered the same keys,
 * store/run-drift.ts previousRunOf) to the next run of the scope (or `now`): one index query per
 * day of that window (store.eventRecordsBetween), O(events).
 */
export async function keyEventsFor(store: ResultsStore, run: RunRecord, previous: RunRecord | undefined, now: Date): Promise<KeyEvents> {
  const window = eventWindow(run, previous, await nextRunOf(store, run), now);
  const records = [];
  for await (const record of store.eventRecordsBetween(window.from, window.to)) records.push(record);
  return keyEventsOf(records, window, run);
}
