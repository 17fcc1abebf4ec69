// What every handler needs from the outside world, and how a Lambda gets it from its
// environment. The local runner builds the same dependencies around its embedded store. What
// only one step uses (Finalize's drift publisher and Security Hub) that step's handler file
// builds, so no Lambda bundles a client it never calls.
import { S3ManifestStore, type ManifestStore } from '../aws/manifests';
import type { DriftPublisher } from '../aws/notifications';
import type { SecurityHubTarget } from '../aws/security-hub';
import { ResultsStore } from '../store/results-store';
import { asStepError } from './step-errors';

export interface HandlerDeps {
  store: ResultsStore;
  manifests: ManifestStore;
  /** Where Finalize sends drift: SNS and CloudWatch when deployed, nothing locally. */
  drift?: DriftPublisher;
  /** Where Finalize imports the run's findings: the deployment's Security Hub when `securityHubExport` is on. */
  securityHub?: () => Promise<SecurityHubTarget>;
  now: () => Date;
  /** Milliseconds this invocation has left (Lambda's clock); unlimited when absent. */
  timeLeftMs?: () => number;
}

let fromEnv: HandlerDeps | undefined;

/** The dependencies every step has: the results store and the manifests, from the environment. */
function depsFromEnv(stepDeps: () => Partial<HandlerDeps>): HandlerDeps {
  fromEnv ??= {
    store: ResultsStore.fromEnv(),
    manifests: new S3ManifestStore(process.env.RESULTS_BUCKET ?? ''),
    now: () => new Date(),
    ...stepDeps(),
  };
  return fromEnv;
}

export type Step<E, R> = (deps: HandlerDeps) => (event: E) => Promise<R>;

/**
 * The Lambda entry point for a step (`id`: its name in statemachine/steps.ts): dependencies from the environment (with
 * what only this step uses, from `stepDeps`), built once per container. Throttling from any
 * service (Organizations, STS, DynamoDB...) leaves as ThrottlingError, the name the state machine
 * retries with backoff.
 */
export function lambdaHandler<E, R>(
  _id: string,
  step: Step<E, R>,
  stepDeps: () => Partial<HandlerDeps> = () => ({}),
): (event: E, context?: { getRemainingTimeInMillis(): number }) => Promise<R> {
  return async (event, context) => {
    try {
      return await step({ ...depsFromEnv(stepDeps), timeLeftMs: context && (() => context.getRemainingTimeInMillis()) })(event);
    } catch (error) {
      throw asStepError(error);
    }
  };
}
