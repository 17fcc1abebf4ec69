// Notifications: the drift topic (encrypted with its own rotating KMS key), an optional email
// subscription, the run metrics Finalize emits (EMF), and the alarms on failed runs, on drift and
// (with the Security Hub export) on findings Security Hub refused.
import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { rotorMetric } from './rotor-metrics';

/** The metrics Finalize emits in the KmsRotor namespace, one data point per run. */
export const RUN_METRICS = ['NonCompliantKeys', 'DriftedKeys', 'ErrorScopes'] as const;
export type RunMetricName = (typeof RUN_METRICS)[number];

/**
 * Key administration for the account root, i.e. delegated to the account's IAM policies, as a default
 * key policy does. The root must keep administration (PutKeyPolicy above all): KMS's key policy
 * lockout safety check refuses a policy that would leave no principal able to change it, and a key no
 * one can administer can only be recovered by AWS Support. Written out instead of `kms:*`: no
 * cryptographic use, and no kms:DisableKeyRotation for anyone (a key policy that does not allow it
 * cannot be overridden by any IAM policy, so the topic key's rotation stays on).
 */
export const TOPIC_KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:ListKeyRotations',
  'kms:RotateKeyOnDemand',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ListAliases',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ListGrants',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];
/** What a publisher to an encrypted topic needs on its key (SNS calls KMS on the publisher's behalf). */
export const TOPIC_KEY_USE_ACTIONS = ['kms:GenerateDataKey*', 'kms:Decrypt'];

export interface DriftNotificationsProps {
  notificationEmail?: string;
}

export class DriftNotifications extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly metrics: Record<RunMetricName, cloudwatch.Metric>;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: DriftNotificationsProps) {
    super(scope, id);
    const alarmsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    };
    // A customer managed key because CloudWatch alarms cannot publish to a topic under the AWS managed
    // SNS key; rotation on, as kms-rotor demands of every key.
    this.key = new kms.Key(this, 'TopicKey', {
      description: 'kms-rotor: encrypts the drift notifications topic',
      enableKeyRotation: true,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'KeyAdministrationByAccount',
            principals: [new iam.AccountRootPrincipal()],
            actions: TOPIC_KEY_ADMIN_ACTIONS,
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'CloudWatchAlarmsPublish',
            principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: TOPIC_KEY_USE_ACTIONS,
            resources: ['*'],
            conditions: alarmsOfThisAccount,
          }),
        ],
      }),
    });

    this.topic = new sns.Topic(this, 'DriftTopic', {
      displayName: 'kms-rotor drift and run alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The TopicPolicy that enforceSSL creates replaces the default one, so alarms need their own allow.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: alarmsOfThisAccount,
      }),
    );
    if (props.notificationEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));
    }

    this.metrics = Object.fromEntries(
      RUN_METRICS.map((name) => [
        name,
        rotorMetric(name, { statistic: 'Maximum' }),
      ]),
    ) as Record<RunMetricName, cloudwatch.Metric>;

    this.addAlarm('DriftDetected', this.metrics.DriftedKeys, 'A run found keys whose rotation was turned off since the previous run of the same scope.');
    this.addAlarm('ScopesNotScanned', this.metrics.ErrorScopes, 'A run could not scan some accounts or Regions (role missing, access denied, Region failure).');
  }

  /** Lets `publisher` (the finalize function's role) use the topic key, only through SNS. */
  allowPublisher(publisher: iam.IRole): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'FinalizePublishThroughSns',
        principals: [new iam.ArnPrincipal(publisher.roleArn)],
        actions: TOPIC_KEY_USE_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.amazonaws.com` } },
      }),
    );
  }

  /**
   * Alarms when an execution of `stateMachine` fails (a halted rollout ends in a Fail state), times out
   * or is aborted; `label` (`Rollout`, `Scan`) names the alarms.
   */
  watchStateMachine(label: string, stateMachine: sfn.IStateMachine): void {
    const period = { period: Duration.minutes(5), statistic: 'Sum' };
    const what = `A ${label.toLowerCase()} execution`;
    this.addAlarm(`${label}Failed`, stateMachine.metricFailed(period), `${what} failed or halted.`);
    this.addAlarm(`${label}TimedOut`, stateMachine.metricTimedOut(period), `${what} timed out.`);
    this.addAlarm(`${label}Aborted`, stateMachine.metricAborted(period), `${what} was aborted.`);
  }

  /**
   * Alarms when Security Hub refused findings of a run's export after ExportToSecurityHub's retries
   * (the run itself still succeeds: the state machine catches the export's failure).
   */
  watchSecurityHubExport(): void {
    this.addAlarm(
      'SecurityHubFindingsRefused',
      rotorMetric('SecurityHubFindingsRefused', { statistic: 'Sum' }),
      "Security Hub refused findings of a run's export; ExportToSecurityHub's log names each one and why.",
    );
  }

  private addAlarm(id: string, metric: cloudwatch.IMetric, description: string): void {
    const alarm = new cloudwatch.Alarm(this, `${id}Alarm`, {
      metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `kms-rotor: ${description}`,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
