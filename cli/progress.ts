// The progress line of a run, local or deployed: accounts scanned, then waves done; rewritten
// in place on a terminal, a line per change in a log. And how much a command says on stderr
// besides errors: `run --no-progress` drops the progress line, `run --quiet` every note too.
// LocalProgress.state is a TaskState of the step registry: a state renamed there fails to compile here.
import type { LocalProgress } from '../local/runner';

/** What a command says on stderr besides errors: progress and notes, notes only, or nothing. */
export type Chattiness = 'progress' | 'notes' | 'quiet';

// One setting per command line, read where progress and notes are written: passing it down to
// every note of every module would say the same thing at each call.
let chattiness: Chattiness = 'progress';

export function setChattiness(level: Chattiness): void {
  chattiness = level;
}

/** Back to the default, at the start of each command line (tests run many in one process). */
export function resetChattiness(): void {
  chattiness = 'progress';
}

export const showsProgress = (): boolean => chattiness === 'progress';
export const showsNotes = (): boolean => chattiness !== 'quiet';

/** What the progress line shows: accounts scanned (the scan's Distributed Map) and waves done (the run record). */
export interface ProgressSnapshot {
  accountsScanned: number;
  /** Unknown until ListAccounts has counted them. */
  accountsTotal?: number;
  wavesDone: number;
  waveCount: number;
  remediate: boolean;
}

export function progressBar(done: number, total: number | undefined, width = 24): string {
  const filled = total && total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** The progress line: the bar follows the accounts while scanning, then the waves of a remediation. */
export function progressText(p: ProgressSnapshot): string {
  const accounts = `${p.accountsScanned}/${p.accountsTotal ?? '?'} accounts scanned`;
  if (!p.remediate || p.waveCount === 0) return `${progressBar(p.accountsScanned, p.accountsTotal)} ${accounts}`;
  return `${progressBar(p.wavesDone, p.waveCount)} ${accounts} · waves ${p.wavesDone}/${p.waveCount} done`;
}

/** On a terminal: one line rewritten in place. Otherwise (a log, a pipe): a line each time it changes. */
export function progressWriter(stream: NodeJS.WriteStream): { show(line: string): void; done(): void } {
  let last: string | undefined;
  let open = false;
  return {
    show(line) {
      if (line === last || !showsProgress()) return;
      last = line;
      if (stream.isTTY) {
        const width = stream.columns ? stream.columns - 1 : line.length;
        stream.write(`\r\x1b[2K${line.slice(0, width)}`);
        open = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    /** Ends the line being rewritten (once), so that other output starts on a line of its own. */
    done() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}

/**
 * Progress of a local run from the runner's events: the same line as a deployed run, plus a note
 * for the plan, each wave's outcome and each account that could not be scanned.
 */
export function localProgress(mode: string, stream: NodeJS.WriteStream = process.stderr): { onEvent(p: LocalProgress): void; done(): void } {
  const line = progressWriter(stream);
  const snapshot: ProgressSnapshot = { accountsScanned: 0, wavesDone: 0, waveCount: 0, remediate: mode === 'remediate' };
  const say = (text: string) => {
    line.done();
    if (showsNotes()) stream.write(`${text}\n`);
  };
  return {
    onEvent(p) {
      if (p.event !== 'succeeded') return;
      const out = p.output as Record<string, unknown>;
      if (p.state === 'ListAccounts') snapshot.accountsTotal = out.count as number;
      if (p.state === 'ScanAccount' || p.state === 'RecordScanError') snapshot.accountsScanned++;
      if (p.state === 'RecordScanError') say(`account ${String(out.accountId)} could not be scanned (error recorded)`);
      if (p.state === 'PlanWaves') {
        snapshot.waveCount = out.waveCount as number;
        say(`plan: ${String(out.keys)} non-compliant key(s) in ${String(out.waveCount)} wave(s)`);
      }
      if (p.state === 'ValidationGate') {
        snapshot.wavesDone++;
        say(`wave ${String(out.wave)}: ${String(out.remediated)} remediated, ${String(out.failed)} failed${out.halted ? ' — HALTED' : ''}`);
      }
      if (snapshot.accountsTotal !== undefined) line.show(progressText(snapshot));
    },
    done: () => line.done(),
  };
}
