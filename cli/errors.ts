// The CLI's failure kinds and their exit codes: 2 for bad usage or input (nothing changed),
// 1 for a run that failed or halted.
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  readonly exitCode = 1;
}

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
