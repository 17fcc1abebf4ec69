// The end of a run, local or deployed: the report from the store, and exit code 1 when the
// run halted or failed.
import { parseReportFormat, writeReport, type ReportInput } from '../report';
import { complianceHeadline } from '../functions/core/coverage';
import { reportInputFor } from '../report/input';
import type { RunRecord } from '../functions/core/schemas';
import type { ResultsStore } from '../functions/store/results-store';
import { inertText } from '../functions/core/text';
import { note, outputSink } from './context';
import { RunFailedError } from './errors';

/** Writes a run's report in one format to `out` (a file) or stdout; returns what it reported. */
export async function writeRunReport(store: ResultsStore, run: RunRecord, format: string, out: string | undefined): Promise<ReportInput> {
  const output = outputSink(out);
  const input = await reportInputFor(store, run, new Date());
  await writeReport(parseReportFormat(format), input, output.sink);
  await output.done();
  if (out) note(`report of run ${run.runId} written to ${out}`);
  return input;
}

/** Prints the run's report and turns a halted or failed run into exit code 1. */
export async function finishRun(store: ResultsStore, runId: string, format: string, out: string | undefined): Promise<void> {
  const run = await store.getRun(runId);
  if (!run) throw new RunFailedError(`run ${runId} left no record: it failed before it started`);
  const input = await writeRunReport(store, run, format, out);
  note(inertText(`compliance: ${complianceHeadline(input.run.summary, input.coverage)}`));
  if (run.status === 'HALTED') throw new RunFailedError(`run ${runId} HALTED: ${inertText(run.haltReason ?? 'a wave exceeded the failure threshold')}`);
  if (run.status === 'FAILED') throw new RunFailedError(`run ${runId} FAILED: ${inertText(run.haltReason ?? 'see rotor status')}`);
  note(`run ${runId} ${run.status}`);
}
