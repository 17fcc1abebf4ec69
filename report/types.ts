// The input every report builder takes and the sink it writes to: plain data and iterables, so a
// report of 100,000 findings streams from the store to a file without being held in memory.
import type { Coverage } from '../functions/core/coverage';
import type { Drift } from '../functions/core/drift';
import type { KeyEvents } from '../functions/core/run-key-events';
import type { ErrorRecord, ExceptionRecord, Finding, FindingStatus, RunMode, RunRecord } from '../functions/core/schemas';

/**
 * Where findings come from: a function that starts a fresh iteration each time it is called
 * (the store re-queries). Findings arrive sorted by accountId, region, keyId (the store's sort
 * key order), which lets the per-account sections stream. Most formats call it once; the HTML
 * report calls it twice (its attention list and counts first, then every key by account).
 */
export type FindingSource = () => AsyncIterable<Finding> | Iterable<Finding>;

/** One wave of the remediation plan (PlanWaves' output): how many keys in how many accounts. */
export interface WavePlanEntry {
  wave: number;
  keys: number;
  accounts: number;
}

/** A past run for the compliance chart: the run summary is enough. */
export interface RunHistoryPoint {
  runId: string;
  startedAt: string;
  /** Scans and remediations are drawn apart. */
  mode?: RunMode;
  summary: Partial<Record<FindingStatus, number>>;
}

export interface ReportInput {
  run: RunRecord;
  findings: FindingSource;
  errors: readonly ErrorRecord[];
  /** What the run covered (functions/core/coverage.ts): every format states it beside the compliance figure. */
  coverage: Coverage;
  /** Every exception on record; the reports show owner, expiry and whether it expires soon. */
  exceptions?: readonly ExceptionRecord[];
  /** Account names by account id. */
  accounts?: Readonly<Record<string, { name: string }>>;
  /** Recent runs of the same scope, for the compliance chart (the current run is added if absent). */
  history?: readonly RunHistoryPoint[];
  /** The remediation plan; the results per wave come from `run.waves`. */
  wavePlan?: readonly WavePlanEntry[];
  drift?: Drift;
  /** The events continuous enforcement handled around the run (functions/core/run-key-events.ts): every format lists them. */
  keyEvents?: KeyEvents;
  /** The report time: "expires within 30 days" is measured from it. Default: now. */
  now?: Date;
}

/** Where a report goes: a file stream, stdout, a buffer. A returned promise is awaited (backpressure). */
export interface ReportSink {
  write(chunk: string): void | Promise<void>;
}
