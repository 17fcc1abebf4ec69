// Deployed runs end honestly: a rule on the default bus takes our state machines' executions that end
// ABORTED, TIMED_OUT or FAILED to RecordStoppedExecution (statemachine/steps.ts EVENT_FUNCTIONS),
// which marks a run they left RUNNING INTERRUPTED (the next run's Finalize then reconciles its keys).
// A delivery EventBridge could not make, and an event the function failed on after Lambda's retries,
// wait in one dead-letter queue, whose alarm goes to the stack's topic.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EXECUTION_STATUS_DETAIL_TYPE, EXECUTION_STATUS_SOURCE, STOPPED_EXECUTION_STATUSES } from '../../functions/core/stopped-execution';
import { EVENT_FUNCTIONS } from '../../statemachine/steps';
import { acknowledgeWildcardResources } from '../nag';
import { deadLetterQueue } from './dead-letter-queue';
import { HandlerFunction } from './handler-function';
import { PARTITIONS } from './rotor-functions';
import { handlerEntry, storeEnvironment, type FunctionSettings } from './function-settings';

/** EventBridge's attempts to invoke the function, and Lambda's own retries of a failed invocation. */
export const DELIVERY_RETRIES = 8;
export const INVOCATION_RETRIES = 2;

export interface StoppedExecutionsProps extends FunctionSettings {
  /** The state machines whose top-level executions are watched (a Map Run's children are not: their ARNs differ). */
  stateMachines: sfn.IStateMachine[];
  topic: sns.ITopic;
}

export class StoppedExecutions extends Construct {
  readonly rule: events.Rule;
  readonly handler: HandlerFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StoppedExecutionsProps) {
    super(scope, id);
    const spec = EVENT_FUNCTIONS.RecordStoppedExecution;
    this.handler = new HandlerFunction(this, 'RecordStoppedExecution', {
      entry: handlerEntry(props, spec.file),
      description: spec.description,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMB,
      environment: storeEnvironment(props),
    });
    // Reads the run and its counts; writes only run records, one conditional UpdateItem each.
    props.table.grantReadData(this.handler.role);
    acknowledgeWildcardResources(this.handler.role, [`${props.table.tableArn}/index/*`], 'RecordStoppedExecution reads the results table (the run record, its counts), which covers its one index; this table only.');
    const { like, notLike } = PARTITIONS.run;
    this.handler.allow({
      sid: 'UpdateRunRecords',
      actions: ['dynamodb:UpdateItem'],
      resources: [props.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [like] }, 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': [notLike] } },
    });

    const deadLetters = deadLetterQueue(this, {
      topic: props.topic,
      deadLetterQueueOf: 'the stopped-execution rule and function',
      alarmDescription: 'kms-rotor: a stopped execution could not be recorded on its run (it may still read RUNNING); the event waits in the dead-letter queue.',
    });
    this.deadLetterQueue = deadLetters.queue;
    this.deadLetterAlarm = deadLetters.alarm;
    // Invoked asynchronously: EventBridge retries the delivery, Lambda retries a failed invocation.
    this.handler.function.configureAsyncInvoke({
      retryAttempts: INVOCATION_RETRIES,
      maxEventAge: Duration.hours(6),
      onFailure: new lambdaDestinations.SqsDestination(this.deadLetterQueue),
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'kms-rotor: executions that ended ABORTED, TIMED_OUT or FAILED, so their runs do not stay RUNNING',
      eventPattern: {
        source: [EXECUTION_STATUS_SOURCE],
        detailType: [EXECUTION_STATUS_DETAIL_TYPE],
        detail: { status: [...STOPPED_EXECUTION_STATUSES], stateMachineArn: props.stateMachines.map((m) => m.stateMachineArn) },
      },
      targets: [new eventTargets.LambdaFunction(this.handler.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: DELIVERY_RETRIES, maxEventAge: Duration.hours(24) })],
    });
  }
}
