// What every handler needs from the outside world, and how a Lambda gets it from its
// environment. The local runner builds the same dependencies around its embedded store.
import { describeError, isThrottling, ThrottlingError } from '../aws/clients';
import { S3ManifestStore, type ManifestStore } from '../aws/manifests';
import { ResultsStore } from '../store/results-store';
import { publishDrift, type DriftPublisher } from '../aws/notifications';

export interface HandlerDeps {
  store: ResultsStore;
  manifests: ManifestStore;
  /** Where Finalize sends drift: SNS and CloudWatch when deployed, nothing locally. */
  drift?: DriftPublisher;
  now: () => Date;
  /** Milliseconds this invocation has left (Lambda's clock); unlimited when absent. */
  timeLeftMs?: () => number;
}

let fromEnv: HandlerDeps | undefined;

function depsFromEnv(): HandlerDeps {
  fromEnv ??= {
    store: ResultsStore.fromEnv(),
    manifests: new S3ManifestStore(process.env.RESULTS_BUCKET ?? ''),
    drift: publishDrift(process.env.DRIFT_TOPIC_ARN, process.env.METRICS_NAMESPACE),
    now: () => new Date(),
  };
  return fromEnv;
}

export type Step<E, R> = (deps: HandlerDeps) => (event: E) => Promise<R>;

/**
 * The Lambda entry point for a step: dependencies from the environment, built once per
 * container. Throttling from any service (Organizations, STS, DynamoDB...) leaves as
 * ThrottlingError, the name the state machine retries with backoff.
 */
export function lambdaHandler<E, R>(step: Step<E, R>): (event: E, context?: { getRemainingTimeInMillis(): number }) => Promise<R> {
  return async (event, context) => {
    try {
      return await step({ ...depsFromEnv(), timeLeftMs: context && (() => context.getRemainingTimeInMillis()) })(event);
    } catch (error) {
      throw asStepError(error);
    }
  };
}

/**
 * The error as the state machine should see it: throttling from any service (Organizations,
 * STS, DynamoDB...) becomes ThrottlingError, the name its Retry lists; others keep their name.
 * The deployed handlers and the local runner both go through here.
 */
export function asStepError(error: unknown): Error {
  if (isThrottling(error) && (error as Error).name !== 'ThrottlingError') return new ThrottlingError(describeError(error));
  return error instanceof Error ? error : new Error(String(error));
}
