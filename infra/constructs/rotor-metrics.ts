// The functions' EMF metrics (functions/observability/telemetry.ts) as CloudWatch metrics for
// alarms and the dashboard: the KmsRotor namespace and the `service` dimension Powertools puts
// on every data point (a metric is found only under its exact dimensions).
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, SERVICE_NAME, STATUS_DIMENSION, type MetricName } from '../../functions/observability/telemetry';

export function rotorMetric(name: MetricName, props: Omit<cloudwatch.MetricProps, 'namespace' | 'metricName'> = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    period: Duration.hours(1),
    ...props,
    dimensionsMap: { service: SERVICE_NAME, ...props.dimensionsMap },
  });
}

/** KeysByStatus of one status. */
export const keysWithStatus = (status: string, props: Omit<cloudwatch.MetricProps, 'namespace' | 'metricName'> = {}) =>
  rotorMetric('KeysByStatus', { ...props, dimensionsMap: { [STATUS_DIMENSION]: status }, label: status });
