// The handlers' logs, metrics and traces (Powertools for AWS Lambda): one Logger (JSON lines with
// the Lambda context and the keys of the step at hand), one Metrics (CloudWatch EMF on stdout, no
// API call) and one Tracer (X-Ray, loaded inside Lambda only). They speak only inside a Lambda
// (AWS_LAMBDA_FUNCTION_NAME set): the local runner and the CLI call the same steps in-process and
// stay silent, so a command's output is never mixed with log lines. POWERTOOLS_LOG_LEVEL and
// Lambda's log level choose the level when they speak.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';

/** The service name on every log line, metric (its `service` dimension) and trace. */
export const SERVICE_NAME = 'kms-rotor';
/** The CloudWatch namespace of the metrics. */
export const METRICS_NAMESPACE = 'KmsRotor';

/** Every metric the functions emit, and its unit. The stack's alarms and dashboard read them from here. */
export const METRICS = {
  /** Keys a ScanAccount read in full (once per account, when its scan is complete). */
  KeysScanned: MetricUnit.Count,
  /** The same keys, by status (dimension `Status`). */
  KeysByStatus: MetricUnit.Count,
  /** Keys whose rotation RemediateAccount turned on and confirmed. */
  KeysRemediated: MetricUnit.Count,
  RemediationFailed: MetricUnit.Count,
  /** Regions whose KMS kept throttling after the SDK's retries (the step is retried for them). */
  ThrottledRegions: MetricUnit.Count,
  /** Member accounts whose role could not be assumed (missing, or not trusting this deployment). */
  AssumeRoleDenied: MetricUnit.Count,
  ScanAccountDuration: MetricUnit.Milliseconds,
  /** Finalize, once per run: the run's non-compliant keys, keys drifted since the previous run, scopes not scanned. */
  NonCompliantKeys: MetricUnit.Count,
  DriftedKeys: MetricUnit.Count,
  ErrorScopes: MetricUnit.Count,
  /** ExportToSecurityHub: findings Security Hub still refused after the retries (each one logged). */
  SecurityHubFindingsRefused: MetricUnit.Count,
} as const;
export type MetricName = keyof typeof METRICS;

/** The dimension of KeysByStatus. */
export const STATUS_DIMENSION = 'Status';

/** True inside a Lambda: the only place the functions log, emit metrics and trace. */
export const inLambda = (): boolean => process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined;

// Silent until a Lambda invocation says otherwise (lambdaHandler): importing a handler in-process says nothing.
export const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: 'SILENT' });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

let lambdaTracer: Tracer | undefined;

/**
 * The Tracer, inside Lambda only; elsewhere undefined, and its module never loaded: the X-Ray SDK
 * it imports installs an async_hooks destroy hook (cls-hooked) on every promise as soon as it is
 * loaded, about 9% of a local scan's CPU where nothing is traced. Built on first use, before the
 * invocation's first AWS call (the clients are traced as they are built).
 */
export function tracer(): Tracer | undefined {
  if (!inLambda()) return undefined;
  // A literal require of our own module: esbuild bundles it into every Lambda all the same.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lambdaTracer ??= (require('./lambda-tracer') as typeof import('./lambda-tracer')).newTracer(SERVICE_NAME);
  return lambdaTracer;
}

/** The log level of a Lambda invocation: POWERTOOLS_LOG_LEVEL when set, else INFO (Lambda's own level, when set, wins inside Powertools). */
export function invocationLogLevel(env: Record<string, string | undefined> = process.env): string {
  return (env.POWERTOOLS_LOG_LEVEL ?? 'INFO').toUpperCase();
}

/** Adds one data point of a metric to the invocation's EMF blob (written when the invocation ends). */
export function count(name: MetricName, value: number): void {
  if (value > 0 || name === 'NonCompliantKeys' || name === 'DriftedKeys' || name === 'ErrorScopes') metrics.addMetric(name, METRICS[name], value);
}

/** KeysByStatus for one status: a metric with its own dimension, so in a blob of its own. */
export function countStatus(status: string, value: number): void {
  if (value <= 0) return;
  const single = metrics.singleMetric();
  single.addDimension(STATUS_DIMENSION, status);
  single.addMetric('KeysByStatus', METRICS.KeysByStatus, value);
}
