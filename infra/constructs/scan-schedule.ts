// Scheduled drift detection: an EventBridge Scheduler schedule that starts a run of the scan-only
// state machine, through a role that may start only that state machine.
import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface ScanScheduleProps {
  stateMachine: sfn.IStateMachine;
  /** EventBridge Scheduler `rate(...)` or `cron(...)` expression. */
  expression: string;
  enabled: boolean;
  /** The execution input (values may be parameter tokens). */
  input: object;
}

export class ScanSchedule extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ScanScheduleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'kms-rotor schedule: starts runs of the scan-only state machine',
    });
    props.stateMachine.grantStartExecution(this.role);

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'kms-rotor drift detection: a scan-only run of the whole organization',
      schedule: scheduler.ScheduleExpression.expression(props.expression),
      enabled: props.enabled,
      target: new targets.StepFunctionsStartExecution(props.stateMachine, {
        role: this.role,
        input: scheduler.ScheduleTargetInput.fromObject(props.input),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }
}
