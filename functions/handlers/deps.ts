// What every handler needs from the outside world, and how a Lambda gets it from its
// environment. The local runner builds the same dependencies around its embedded store. What
// only one step uses (Finalize's drift publisher, ExportToSecurityHub's hub) that step's handler file
// builds, so no Lambda bundles a client it never calls.
import { S3ManifestStore, type ManifestStore } from '../aws/manifests';
import type { ExternalIdSource } from '../aws/external-id';
import type { DriftPublisher } from '../aws/notifications';
import type { SecurityHubTarget } from '../aws/security-hub';
import type { ObjectStore } from '../store/object-store';
import { ResultsStore } from '../store/results-store';
import type { Context } from 'aws-lambda';
import { inertText } from '../core/text';
import { observedDrift, observedStore } from '../observability/observe';
import { count, inLambda, invocationLogLevel, logger, METRICS, metrics, tracer } from '../observability/telemetry';
import type * as z from 'zod';
import { InputError, parseOrThrow } from '../core/schemas';
import { asStepError, InvalidStepEvent } from './step-errors';

export interface HandlerDeps {
  store: ResultsStore;
  manifests: ManifestStore;
  /** Where Finalize sends drift: SNS and CloudWatch when deployed, nothing locally. */
  drift?: DriftPublisher;
  /** Where ExportToSecurityHub imports the run's findings: the deployment's Security Hub (`securityHubExport`). */
  securityHub?: () => Promise<SecurityHubTarget>;
  /** Where Finalize writes the run's evidence bundle: the deployment's Object Lock bucket when `evidenceRetentionDays` is set. */
  evidence?: ObjectStore;
  /**
   * The ExternalId the member roles require, for the steps that assume them: from the function's
   * own configuration (the deployment's secret, or the local runner's setting), never from the event.
   */
  externalId?: ExternalIdSource;
  now: () => Date;
  /** Milliseconds this invocation has left (Lambda's clock); unlimited when absent. */
  timeLeftMs?: () => number;
}

let fromEnv: HandlerDeps | undefined;

/** The dependencies every step has: the results store and the manifests, from the environment. */
function depsFromEnv(): HandlerDeps {
  fromEnv ??= {
    store: ResultsStore.fromEnv(),
    manifests: new S3ManifestStore(process.env.RESULTS_BUCKET ?? ''),
    now: () => new Date(),
  };
  return fromEnv;
}

export type Step<E, R> = (deps: HandlerDeps) => (event: E) => Promise<R>;

/**
 * A step whose event is parsed with its schema first, deployed and in the local runner alike: an
 * ASL Parameters change that breaks the handler fails at once with InvalidStepEvent naming the field.
 */
export function parsedStep<S extends z.ZodType, R>(schema: S, step: Step<z.output<S>, R>): Step<z.input<S>, R> {
  return (deps) => {
    const run = step(deps);
    return async (event) => {
      let parsed: z.output<S>;
      try {
        parsed = parseOrThrow(schema, event, 'event');
      } catch (error) {
        throw error instanceof InputError ? new InvalidStepEvent(error.message) : error;
      }
      return run(parsed);
    };
  };
}

/** What Lambda passes besides the event (the fields the wrapper reads). */
export type LambdaContext = Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>;

/** The keys every log line of an invocation carries, from its event: the run, account and wave at hand. */
function eventKeys(id: string, event: unknown): Record<string, string | number> {
  const e = (event ?? {}) as { runId?: unknown; accountId?: unknown; account?: { accountId?: unknown }; wave?: unknown };
  const accountId = e.accountId ?? e.account?.accountId;
  return {
    step: id,
    ...(typeof e.runId === 'string' ? { runId: e.runId } : {}),
    ...(typeof accountId === 'string' ? { accountId } : {}),
    ...(typeof e.wave === 'number' ? { wave: e.wave } : {}),
  };
}

/**
 * The Lambda entry point for a step (`id`: its name in statemachine/steps.ts): dependencies from
 * the environment (with what only this step uses, from `stepDeps`), built once per container.
 * Inside Lambda each invocation logs (Powertools Logger: the Lambda context, and the step, run
 * id, account and wave on every line), emits its EMF metrics when it ends and traces under a
 * subsegment annotated with the run and account. Throttling from any service (Organizations,
 * STS, DynamoDB...) leaves as ThrottlingError, the name the state machine retries with backoff.
 */
export function lambdaHandler<E, R>(
  id: string,
  step: Step<E, R>,
  stepDeps: () => Partial<HandlerDeps> = () => ({}),
): (event: E, context?: LambdaContext) => Promise<R> {
  // Each handler's own, built once: a process that loads several handlers (a test) gives each its own.
  let own: Partial<HandlerDeps> | undefined;
  return async (event, context) => {
    own ??= stepDeps();
    const deps = { ...depsFromEnv(), ...own, timeLeftMs: context && (() => context.getRemainingTimeInMillis()) };
    if (!inLambda()) {
      try {
        return await step(deps)(event);
      } catch (error) {
        throw asStepError(error);
      }
    }
    return observed(id, event, context, () => step({ ...deps, store: observedStore(deps.store), drift: observedDrift(deps.drift) })(event));
  };
}

/** One invocation inside Lambda: logged, measured and traced. */
async function observed<R>(id: string, event: unknown, context: LambdaContext | undefined, run: () => Promise<R>): Promise<R> {
  const keys = eventKeys(id, event);
  logger.setLogLevel(invocationLogLevel() as never);
  if (context?.awsRequestId) logger.addContext(context as Context);
  logger.appendKeys(keys);
  const xray = tracer();
  const parent = xray?.isTracingEnabled() ? xray.getSegment() : undefined;
  const segment = parent?.addNewSubsegment(`## ${id}`);
  if (xray && segment) {
    xray.setSegment(segment);
    xray.annotateColdStart();
    for (const key of ['runId', 'accountId'] as const) if (keys[key] !== undefined) xray.putAnnotation(key, keys[key]);
  }
  const started = Date.now();
  try {
    return await run();
  } catch (error) {
    const named = asStepError(error);
    if (named.name === 'TimeBudgetExceeded') logger.warn('TimeBudgetExceeded: stopped before the timeout with work left; the state machine runs the step again for the rest', { error: inertText(named.message) });
    else if (named.name === 'ThrottlingError') logger.warn('Throttled after the SDK retries; the state machine retries the step', { error: inertText(named.message) });
    else logger.error('Step failed', { errorName: named.name, error: inertText(named.message) });
    if (named.name === 'MemberAccessDenied') count('AssumeRoleDenied', 1);
    segment?.addError(named);
    throw named;
  } finally {
    if (id === 'ScanAccount') metrics.addMetric('ScanAccountDuration', METRICS.ScanAccountDuration, Date.now() - started);
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    segment?.close();
    if (parent) xray?.setSegment(parent);
    logger.removeKeys(Object.keys(keys));
  }
}
