// The KmsRotor stack: results table, run-data bucket, the nine functions, the rollout state machine,
// the drift schedule, notifications and alarms, the member-access StackSet and (optionally) the
// guardrails. Deployed in the management account or a delegated administrator account.
import { CfnCondition, CfnOutput, CfnParameter, Fn, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { RotorContext } from './context';
import { DriftNotifications } from './constructs/drift-notifications';
import { Guardrails } from './constructs/guardrails';
import { ManifestBucket } from './constructs/manifest-bucket';
import { MemberAccessStackSet } from './constructs/member-access-stack-set';
import { ResultsTable } from './constructs/results-table';
import { RolloutStateMachine } from './constructs/rollout-state-machine';
import { HANDLERS, RotorFunctions } from './constructs/rotor-functions';
import { ScanSchedule } from './constructs/scan-schedule';

/** The CLI finds the deployment by this stack name (DescribeStacks, output StateMachineArn). */
export const ORCHESTRATOR_STACK_NAME = 'KmsRotor';

export const OUTPUTS = ['StateMachineArn', 'ResultsTableName', 'ManifestBucketName', 'DriftTopicArn'] as const;

export interface OrchestratorStackProps extends StackProps {
  settings: RotorContext;
  /** Where the handler files are (default functions/handlers). */
  handlersDir?: string;
  /** The ASL file (default statemachine/rollout.asl.json). */
  aslPath?: string;
}

const ORG_TARGETS_HELP = 'Comma-separated root (r-xxxx) or organizational unit (ou-xxxx-xxxxxxxx) ids';

export class OrchestratorStack extends Stack {
  readonly table: ResultsTable;
  readonly manifest: ManifestBucket;
  readonly functions: RotorFunctions;
  readonly rollout: RolloutStateMachine;
  readonly notifications: DriftNotifications;
  readonly memberAccess: MemberAccessStackSet;
  readonly schedule?: ScanSchedule;
  readonly guardrails?: Guardrails;

  constructor(scope: Construct, id: string, props: OrchestratorStackProps) {
    super(scope, id, {
      stackName: ORCHESTRATOR_STACK_NAME,
      description: 'kms-rotor: turns on automatic rotation for every customer managed KMS key across the organization, and keeps the proof',
      ...props,
    });
    const settings = props.settings;

    // Values given as context are baked in; the others become parameters, so a plain `cdk synth` works.
    const organizationId =
      settings.organizationId ??
      new CfnParameter(this, 'OrganizationId', {
        type: 'String',
        allowedPattern: '^o-[a-z0-9]{10,32}$',
        description: 'The organization id (o-...): member roles trust only principals of this organization (or pass -c organizationId=...)',
      }).valueAsString;
    const externalId = this.externalId(settings);

    this.table = new ResultsTable(this, 'ResultsTable');
    this.manifest = new ManifestBucket(this, 'ManifestBucket');
    this.notifications = new DriftNotifications(this, 'Notifications', { notificationEmail: settings.notificationEmail });
    this.functions = new RotorFunctions(this, 'Functions', {
      handlersDir: props.handlersDir,
      table: this.table.table,
      manifestBucket: this.manifest.bucket,
      scanRoleName: settings.scanRoleName,
      remediateRoleName: settings.remediateRoleName,
      organizationId,
      externalId: externalId.value,
      driftTopicArn: this.notifications.topic.topicArn,
    });
    const handlers = this.functions.handlers;
    this.notifications.allowPublisher(handlers.Finalize.role);

    this.rollout = new RolloutStateMachine(this, 'Rollout', {
      functions: Object.fromEntries(
        Object.entries(HANDLERS).map(([handlerId, spec]) => [spec.substitution, handlers[handlerId as keyof typeof HANDLERS].function]),
      ),
      manifestBucket: this.manifest.bucket,
      aslPath: props.aslPath,
    });
    this.notifications.watchStateMachine(this.rollout.stateMachine);

    if (settings.schedule) {
      const input = { mode: 'scan', trigger: 'schedule', roleName: settings.scanRoleName, remediateRoleName: settings.remediateRoleName };
      this.schedule = new ScanSchedule(this, 'DriftSchedule', {
        stateMachine: this.rollout.stateMachine,
        expression: settings.schedule.expression,
        enabled: settings.schedule.enabled,
        input:
          externalId.condition === undefined
            ? { ...input, ...(externalId.value ? { externalId: externalId.value } : {}) }
            : Fn.conditionIf(
                externalId.condition.logicalId,
                this.toJsonString({ ...input, externalId: externalId.value }),
                this.toJsonString(input),
              ).toString(),
      });
    }

    this.memberAccess = new MemberAccessStackSet(this, 'MemberAccess', {
      targets:
        settings.memberTargets ??
        new CfnParameter(this, 'MemberTargets', {
          type: 'CommaDelimitedList',
          description: `${ORG_TARGETS_HELP} whose accounts get the member roles (or pass -c memberTargets=...)`,
        }).valueAsList,
      callAs: settings.callAs,
      scanRoleName: settings.scanRoleName,
      remediateRoleName: settings.remediateRoleName,
      scanPrincipalArn: handlers.ScanAccount.role.roleArn,
      remediatePrincipalArn: handlers.RemediateAccount.role.roleArn,
      organizationId,
      externalId: externalId.value,
      hasExternalId: externalId.condition,
    });

    if (settings.guardrails) {
      this.guardrails = new Guardrails(this, 'Guardrails', {
        targets:
          settings.guardrailTargets ??
          new CfnParameter(this, 'GuardrailTargets', {
            type: 'CommaDelimitedList',
            description: `${ORG_TARGETS_HELP} the key-rotation SCP is attached to (or pass -c guardrailTargets=...)`,
          }).valueAsList,
        breakGlassRoleArn: settings.breakGlassRoleArn,
        allowedRotationRange: settings.allowedRotationRange,
      });
    }

    const outputs: Record<(typeof OUTPUTS)[number], { value: string; description: string }> = {
      StateMachineArn: { value: this.rollout.stateMachine.stateMachineArn, description: 'The rollout state machine (rotor run starts it)' },
      ResultsTableName: { value: this.table.table.tableName, description: 'The results table (findings, runs, exceptions)' },
      ManifestBucketName: { value: this.manifest.bucket.bucketName, description: 'Account manifests and Map Run results' },
      DriftTopicArn: { value: this.notifications.topic.topicArn, description: 'Drift and run alarm notifications' },
    };
    for (const [name, output] of Object.entries(outputs)) new CfnOutput(this, name, output);
  }

  /** The ExternalId: the context value, or an optional parameter ('' = none) with its condition. */
  private externalId(settings: RotorContext): { value: string; condition?: CfnCondition } {
    if (settings.externalId) return { value: settings.externalId };
    const parameter = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      default: '',
      allowedPattern: '^$|^[\\w+=,.@:/-]{2,1224}$',
      // Not NoEcho: an ExternalId is not a secret (it guards against the confused deputy) and it is
      // visible anyway in the member trust policies and the schedule input.
      description: 'sts:ExternalId the member roles require; empty for none (or pass -c externalId=...)',
    });
    const condition = new CfnCondition(this, 'HasExternalId', {
      expression: Fn.conditionNot(Fn.conditionEquals(parameter.valueAsString, '')),
    });
    return { value: parameter.valueAsString, condition };
  }
}
