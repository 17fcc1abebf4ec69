// The errors a step leaves with, by the names the state machine retries and catches: throttling
// that outlasted the SDK, a time budget spent with work left, and any other error as it is named.
// The deployed handlers and the local runner both go through asStepError.
import { describeError, isThrottling } from '../aws/errors';

/** Throttling outlasted the SDK's retries: the state machine retries the step with backoff. */
export class ThrottlingError extends Error {
  override readonly name = 'ThrottlingError';
}

/** A step stopped before Lambda's timeout with work left: the state machine runs it again for the rest. */
export class TimeBudgetExceeded extends Error {
  override readonly name = 'TimeBudgetExceeded';
}

/**
 * A step's event does not have the shape its handler reads (the ASL's Parameters changed, or the
 * state before it): the message names each field. Not retried: the same event fails the same way.
 */
export class InvalidStepEvent extends Error {
  override readonly name = 'InvalidStepEvent';
}

/**
 * The error as the state machine should see it: throttling from any service (Organizations,
 * STS, DynamoDB...) becomes ThrottlingError, the name its Retry lists; others keep their name.
 */
export function asStepError(error: unknown): Error {
  if (isThrottling(error) && (error as Error).name !== 'ThrottlingError') return new ThrottlingError(describeError(error));
  return error instanceof Error ? error : new Error(String(error));
}
