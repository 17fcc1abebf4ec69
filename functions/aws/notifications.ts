// Publishes a finished run's drift: a message on the SNS topic and CloudWatch metrics
// (non-compliant keys, drifted keys, error scopes) that the stack's alarms watch.
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PublishCommand } from '@aws-sdk/client-sns';
import { cloudwatchClient } from './clients/cloudwatch';
import { snsClient } from './clients/sns';

export interface DriftNotice {
  runId: string;
  status: string;
  nonCompliantKeys: number;
  driftedKeys: number;
  errorScopes: number;
  subject: string;
  message: string;
}

export type DriftPublisher = (notice: DriftNotice) => Promise<void>;

export function publishDrift(topicArn: string | undefined, namespace: string | undefined): DriftPublisher | undefined {
  if (!topicArn && !namespace) return undefined;
  const sns = topicArn ? snsClient() : undefined;
  const cloudwatch = namespace ? cloudwatchClient() : undefined;
  return async (notice) => {
    if (cloudwatch) {
      const metric = (MetricName: string, Value: number) => ({ MetricName, Value, Unit: 'Count' as const });
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: [
            metric('NonCompliantKeys', notice.nonCompliantKeys),
            metric('DriftedKeys', notice.driftedKeys),
            metric('ErrorScopes', notice.errorScopes),
          ],
        }),
      );
    }
    // Only drift is news: a run that found nothing new does not page anyone.
    if (sns && notice.driftedKeys > 0) {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: notice.subject.slice(0, 100), Message: notice.message }));
    }
  };
}
