// A dead-letter queue and its alarm, as every event path of the stack keeps one: SQS-managed
// encryption, TLS only, 14 days' retention, and an alarm to the topic as soon as a message waits.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeRule } from '../nag';

export interface DeadLetterQueueProps {
  /** Where the alarm goes. */
  topic: sns.ITopic;
  /** What the queue is the dead-letter queue of (the reason cdk-nag's SQS3 is acknowledged). */
  deadLetterQueueOf: string;
  alarmDescription: string;
}

/** The queue `DeadLetters` and the alarm `DeadLettersAlarm`, in `scope`. */
export function deadLetterQueue(scope: Construct, props: DeadLetterQueueProps): { queue: sqs.Queue; alarm: cloudwatch.Alarm } {
  const queue = new sqs.Queue(scope, 'DeadLetters', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  // A dead-letter queue has no dead-letter queue of its own.
  acknowledgeRule(queue, 'SQS3', `This queue is the dead-letter queue of ${props.deadLetterQueueOf}.`);
  const alarm = new cloudwatch.Alarm(scope, 'DeadLettersAlarm', {
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: props.alarmDescription,
  });
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(props.topic));
  return { queue, alarm };
}
