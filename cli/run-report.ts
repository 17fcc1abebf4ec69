// The end of a run, local or deployed: the report from the store, the compliance and coverage
// line, exit code 1 when the run halted or failed, and 3 when the gate finds something.
import { parseReportFormat, writeReport, type ReportInput } from '../report';
import { complianceHeadline } from '../functions/core/coverage';
import { reportInputFor } from '../report/input';
import type { RunRecord } from '../functions/core/schemas';
import type { ResultsStore } from '../functions/store/results-store';
import { inertText } from '../functions/core/text';
import { note, outputSink } from './context';
import { FindingsError, RunFailedError } from './errors';
import { runFindings, type Gate } from './gate';

/** Writes a run's report in one format to `out` (a file) or stdout; returns what it reported. */
export async function writeRunReport(store: ResultsStore, run: RunRecord, format: string, out: string | undefined): Promise<ReportInput> {
  const output = outputSink(out);
  const input = await reportInputFor(store, run, new Date());
  await writeReport(parseReportFormat(format), input, output.sink);
  await output.done();
  if (out) note(`report of run ${run.runId} written to ${out}`);
  return input;
}

/**
 * Prints the run's report and turns a halted or failed run into exit code 1; with a gate, a run
 * with findings (functions of cli/gate.ts) into exit code 3, or 0 and a note with --exit-zero.
 */
export async function finishRun(store: ResultsStore, runId: string, format: string, out: string | undefined, gate?: Gate): Promise<void> {
  const run = await store.getRun(runId);
  if (!run) throw new RunFailedError(`run ${runId} left no record: it failed before it started`);
  const input = await writeRunReport(store, run, format, out);
  note(inertText(`compliance: ${complianceHeadline(input.run.summary, input.coverage)}`));
  if (run.status === 'HALTED') throw new RunFailedError(`run ${runId} HALTED: ${inertText(run.haltReason ?? 'a wave exceeded the failure threshold')}`);
  if (run.status === 'FAILED') throw new RunFailedError(`run ${runId} FAILED: ${inertText(run.haltReason ?? 'see rotor status')}`);
  note(`run ${runId} ${run.status}`);
  const found = gate ? runFindings(input.run, input.coverage, gate) : [];
  if (found.length === 0) return;
  const findings = `findings: ${found.join('; ')}`;
  if (gate?.exitZero) note(`${findings} (exit 0: --exit-zero)`);
  else throw new FindingsError(`run ${runId}: ${findings} (exit 3; --exit-zero reports without failing, --fail-on chooses what counts)`);
}
