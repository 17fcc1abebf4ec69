// The CLI's failure kinds and their exit codes: 2 for bad usage or input (nothing changed),
// 1 for a run that failed or halted, 3 for findings (a CI gate; --exit-zero turns it into 0).
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  readonly exitCode = 1;
}

/** The run or its drift has findings: non-compliant or failed keys, a scope not covered, drift. */
export class FindingsError extends Error {
  override readonly name = 'FindingsError';
  readonly exitCode = 3;
}

/** The exit codes, as every command's help lists them. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  clean: the command did what it was asked and found nothing to gate on
  1  the run failed or halted (or check-template found keys without rotation)
  2  bad usage or input: nothing was changed
  3  findings (run, drift): a non-compliant or failed key, an account or Region not covered, or
     drift; --exit-zero turns 3 into 0, --fail-on STATUSES chooses what counts (run)
  130 a local run stopped by Ctrl-C or SIGTERM (INTERRUPTED)`;

/** A local run stopped by SIGINT/SIGTERM: its in-flight keys were written and it is INTERRUPTED. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  readonly exitCode = 130;
}

/** The exit code an error stands for: 2 for input, 1 for anything else. */
export function exitCodeOf(error: unknown): number {
  if (error && typeof error === 'object' && 'exitCode' in error && typeof error.exitCode === 'number') {
    return error.exitCode;
  }
  // Input the user gave that the core rejected: a bad field, an unknown report format; or a stored
  // item its schema rejects (the message says which and how to remove it).
  if (error instanceof Error && ['InputError', 'UnknownReportFormatError', 'MalformedItemError'].includes(error.name)) return 2;
  return 1;
}
