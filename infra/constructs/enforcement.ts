// Continuous enforcement in the orchestrator account: the central event bus the member accounts'
// rules forward their KMS events to (its policy admits only principals of our Organization), a rule
// that queues them, the EnforceKey function that takes them off the queue at a pace under the
// EnableKeyRotation quota, and the dead-letter queue (with its alarm) for events it could not handle.
import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambdaSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_BATCH_SIZE, EVENT_HANDLER_CONCURRENCY } from '../../functions/core/key-event';
import { KEY_READ_ACTIONS, REMEDIATE_ACTIONS } from '../member-template';
import { acknowledgeWildcardResources } from '../nag';
import { keyEventPattern } from '../key-event-pattern';
import { deadLetterQueue } from './dead-letter-queue';
import { HandlerFunction } from './handler-function';
import { PARTITIONS, TABLE_WRITE_ACTIONS } from './rotor-functions';
import { handlerEntry, rotationRangeEnvironment, storeEnvironment, type MemberAccessSettings } from './function-settings';
import { TOPIC_KEY_USE_ACTIONS } from './drift-notifications';

export const KEY_EVENT_BUS_NAME = 'kms-rotor-key-events';
/** Deliveries of a message before it goes to the dead-letter queue. */
export const MAX_RECEIVES = 5;
const FUNCTION_TIMEOUT = Duration.minutes(2);

/** The bus admits only principals of `organizationId`; the rule queues only events `allowedRotationRange` makes matter. */
export interface EnforcementProps extends MemberAccessSettings {
  mode: 'remediate' | 'detect';
  /** The stack's topic (and its key): DLQ alarms, and per-key notices when `notifyPerKey`. */
  topic: sns.ITopic;
  topicKey: kms.IKey;
  notifyPerKey: boolean;
}

export class Enforcement extends Construct {
  readonly bus: events.EventBus;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly handler: HandlerFunction;
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EnforcementProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: KEY_EVENT_BUS_NAME, description: 'kms-rotor: KMS events of the member accounts' });
    // Only principals of our Organization may put events here (the member rules' forwarding roles).
    new events.CfnEventBusPolicy(this, 'BusPolicy', {
      eventBusName: this.bus.eventBusName,
      statementId: 'OrganizationMembersPutKeyEvents',
      statement: {
        Sid: 'OrganizationMembersPutKeyEvents',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: this.bus.eventBusArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      },
    });

    const deadLetters = deadLetterQueue(this, {
      topic: props.topic,
      deadLetterQueueOf: 'the key events queue',
      alarmDescription: `kms-rotor: KMS events that continuous enforcement could not handle in ${MAX_RECEIVES} attempts wait in the dead-letter queue.`,
    });
    this.deadLetterQueue = deadLetters.queue;
    this.deadLetterAlarm = deadLetters.alarm;
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function's timeout, as Lambda advises for an SQS event source.
      visibilityTimeout: Duration.seconds(FUNCTION_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVES },
    });
    new events.Rule(this, 'QueueKeyEvents', {
      eventBus: this.bus,
      description: 'kms-rotor: queue the KMS events that can leave a key without rotation',
      eventPattern: keyEventPattern(props.allowedRotationRange) as events.EventPattern,
      targets: [new eventTargets.SqsQueue(this.queue)],
    });

    const roleName = props.mode === 'remediate' ? props.remediateRoleName : props.scanRoleName;
    this.handler = new HandlerFunction(this, 'EnforceKey', {
      entry: handlerEntry(props, 'enforce-key'),
      description: `enforces rotation on the keys KMS events name (${props.mode}) through ${roleName}`,
      timeout: FUNCTION_TIMEOUT,
      memorySize: 512,
      environment: {
        ...storeEnvironment(props),
        ENFORCEMENT: props.mode,
        SCAN_ROLE_NAME: props.scanRoleName,
        REMEDIATE_ROLE_NAME: props.remediateRoleName,
        ...(props.rotationPeriodDays === undefined ? {} : { ROTATION_PERIOD_DAYS: String(props.rotationPeriodDays) }),
        ...rotationRangeEnvironment(props.allowedRotationRange),
        ...(props.notifyPerKey ? { ENFORCEMENT_TOPIC_ARN: props.topic.topicArn } : {}),
      },
      unscopedActions: ['kms:ListAliases'],
    });
    this.handler.function.addEventSource(
      new lambdaSources.SqsEventSource(this.queue, { batchSize: EVENT_BATCH_SIZE, maxConcurrency: EVENT_HANDLER_CONCURRENCY, reportBatchItemFailures: true }),
    );
    this.allow(props, roleName);
  }

  /**
   * What the function needs, and nothing else: writes to key partitions only (its event records),
   * the member role of its mode, the key reads (and, remediating, EnableKeyRotation) of the
   * orchestrator's own account, DescribeAccount for membership, and publish when notifying.
   */
  private allow(props: EnforcementProps, roleName: string): void {
    const handler = this.handler;
    props.table.grantReadData(handler.role);
    acknowledgeWildcardResources(handler.role, [`${props.table.tableArn}/index/*`], 'EnforceKey reads the results table (exceptions, earlier event records), which covers its one index; this table only.');
    handler.allow({
      sid: 'WriteKeyPartitions',
      actions: [...TABLE_WRITE_ACTIONS],
      resources: [props.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PARTITIONS.history.like] } },
    });
    const memberRoles = `arn:${Aws.PARTITION}:iam::*:role/${roleName}`;
    handler.allow({ sid: 'AssumeMemberRole', actions: ['sts:AssumeRole'], resources: [memberRoles], conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId } } });
    acknowledgeWildcardResources(handler.role, [memberRoles], `EnforceKey assumes the member role ${roleName}, the same name in every member account; aws:ResourceOrgID pins it to this organization.`);
    const keyActions = [...KEY_READ_ACTIONS, ...(props.mode === 'remediate' ? REMEDIATE_ACTIONS : [])];
    const keysOfThisAccount = `arn:${Aws.PARTITION}:kms:*:${Aws.ACCOUNT_ID}:key/*`;
    handler.allow({ sid: 'KeysOfThisAccount', actions: keyActions, resources: [keysOfThisAccount] });
    handler.allow({ sid: 'ListAliases', actions: ['kms:ListAliases'], resources: ['*'] });
    acknowledgeWildcardResources(handler.role, [keysOfThisAccount], `EnforceKey uses ${keyActions.join(', ')} on the keys of the orchestrator's own account, which it reaches with its own credentials; other accounts only through ${roleName}.`);
    const accounts = `arn:${Aws.PARTITION}:organizations::*:account/${props.organizationId}/*`;
    handler.allow({ sid: 'IsAccountOfOrganization', actions: ['organizations:DescribeAccount'], resources: [accounts] });
    acknowledgeWildcardResources(handler.role, [accounts], 'EnforceKey asks whether an event\'s account is in the organization: account ARNs embed the management account and the member id, unknown at deploy time; pinned to this organization id.');
    if (props.notifyPerKey) {
      handler.allow({ sid: 'PublishKeyNotices', actions: ['sns:Publish'], resources: [props.topic.topicArn] });
      props.topicKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'EnforceKeyPublishThroughSns',
          principals: [new iam.ArnPrincipal(handler.role.roleArn)],
          actions: TOPIC_KEY_USE_ACTIONS,
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }
  }
}
