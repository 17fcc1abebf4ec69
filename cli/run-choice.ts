// The run a command is about: `--run-id ID`, or `--latest` (the default); report, drift, status
// and securityhub export choose it the same way.
import type { RunRecord } from '../functions/core/schemas';
import type { ResultsStore } from '../functions/store/results-store';
import { UsageError } from './errors';

export interface RunChoice {
  runId?: string;
  latest?: boolean;
}

/** The run a command is about: `--run-id ID`, or `--latest` (the default). */
export async function chooseRun(store: ResultsStore, choice: RunChoice): Promise<RunRecord> {
  if (choice.runId && choice.latest) throw new UsageError('give --run-id or --latest, not both');
  if (choice.runId) {
    const run = await store.getRun(choice.runId);
    if (!run) throw new UsageError(`unknown run id "${choice.runId}": \`rotor runs\` lists the runs`);
    return run;
  }
  const latest = await store.latestRun();
  if (!latest) throw new UsageError('there are no runs yet: start one with `rotor run --local` (or `npm start` for the demo)');
  return latest;
}
