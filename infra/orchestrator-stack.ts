// The KmsRotor stack: results table, results bucket, the ten step functions, the rollout state
// machine and the scan-only state machine, the rule that records their stopped executions, the
// drift schedule, notifications and alarms, and the member-access StackSet. Deployed in the
// management account or a delegated administrator account.
// The guardrails are a stack of their own (guardrails-stack.ts).
import { CfnOutput, CfnParameter, SecretValue, Stack, StackProps, Token, Aws } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ExecutionInputRaw } from '../functions/core/schemas';
import type { RotorContext } from './context';
import { DriftNotifications } from './constructs/drift-notifications';
import { ManifestBucket } from './constructs/manifest-bucket';
import { EvidenceBucket } from './constructs/evidence-bucket';
import { MemberAccessStackSet } from './constructs/member-access-stack-set';
import { ResultsTable } from './constructs/results-table';
import { resultWriterPrefixes, RolloutStateMachine } from './constructs/rollout-state-machine';
import { RotorFunctions } from './constructs/rotor-functions';
import type { FunctionSettings, MemberAccessSettings } from './constructs/function-settings';
import { OperationsDashboard } from './constructs/operations-dashboard';
import { readAslText, type AslDefinition } from '../statemachine/asl';
import { STEP_FUNCTIONS, STEP_FUNCTION_IDS } from '../statemachine/steps';
import { ScanSchedule } from './constructs/scan-schedule';
import { Enforcement } from './constructs/enforcement';
import { ExternalIdSecret } from './constructs/external-id-secret';
import { StoppedExecutions } from './constructs/stopped-executions';
import { rotationPeriodWithin } from './guardrail-policies';
import { EXTERNAL_ID_PARAMETER } from './member-template';

/** The CLI finds the deployment by this stack name (DescribeStacks, outputs StateMachineArn and ScanStateMachineArn). */
export const ORCHESTRATOR_STACK_NAME = 'KmsRotor';

export const OUTPUTS = ['StateMachineArn', 'ScanStateMachineArn', 'ResultsTableName', 'ManifestBucketName', 'DriftTopicArn'] as const;

export interface OrchestratorStackProps extends StackProps {
  settings: RotorContext;
  /** Where the handler files are (default functions/handlers). */
  handlersDir?: string;
  /** The ASL file (default statemachine/rollout.asl.json). */
  aslPath?: string;
}

export const ORG_TARGETS_HELP = 'Comma-separated root (r-xxxx) or organizational unit (ou-xxxx-xxxxxxxx) ids';

export class OrchestratorStack extends Stack {
  readonly table: ResultsTable;
  readonly manifest: ManifestBucket;
  /** With context `evidenceRetentionDays`: where Finalize leaves each run's evidence bundle. */
  readonly evidence?: EvidenceBucket;
  readonly functions: RotorFunctions;
  /** The rollout state machine: scan and remediate. */
  readonly rollout: RolloutStateMachine;
  /** The scan-only state machine: its role cannot invoke RemediateAccount; the schedule starts it. */
  readonly scan: RolloutStateMachine;
  /** Executions of either machine that end ABORTED, TIMED_OUT or FAILED: their runs marked INTERRUPTED. */
  readonly stoppedExecutions: StoppedExecutions;
  readonly dashboard: OperationsDashboard;
  readonly notifications: DriftNotifications;
  readonly memberAccess: MemberAccessStackSet;
  /** Continuous enforcement (absent with `enforcement=off`). */
  readonly enforcement?: Enforcement;
  readonly schedule?: ScanSchedule;
  /** The ExternalId, which only the functions that assume member roles read. */
  readonly externalId: ExternalIdSecret;
  /** What the schedule sends: pure data (the ExternalId is no part of it). */
  readonly scheduleInput?: ExecutionInputRaw;

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
    // Required: every member role demands sts:ExternalId; there is no "none".
    const externalIdParameter =
      settings.externalId === undefined
        ? new CfnParameter(this, 'ExternalId', {
            type: EXTERNAL_ID_PARAMETER.Type,
            minLength: EXTERNAL_ID_PARAMETER.MinLength,
            maxLength: EXTERNAL_ID_PARAMETER.MaxLength,
            allowedPattern: EXTERNAL_ID_PARAMETER.AllowedPattern,
            noEcho: EXTERNAL_ID_PARAMETER.NoEcho,
            description: 'sts:ExternalId every member role requires, 2-1224 characters of [A-Za-z0-9+=,.@:/_-] (or pass -c externalId=...)',
          })
        : undefined;
    const externalId = settings.externalId ?? externalIdParameter!.valueAsString;
    // The functions read it from this secret; a context value is in the template anyway (the StackSet's parameter).
    this.externalId = new ExternalIdSecret(this, 'ExternalIdSecret', {
      value: externalIdParameter ? SecretValue.cfnParameter(externalIdParameter) : SecretValue.unsafePlainText(externalId),
    });

    this.table = new ResultsTable(this, 'ResultsTable');
    // The results bucket: account scans kept as long as the table's items, manifests and the
    // ResultWriter prefixes of the definition for a month.
    const definition = JSON.parse(readAslText(props.aslPath)) as AslDefinition;
    this.manifest = new ManifestBucket(this, 'ManifestBucket', { retentionDays: settings.retentionDays, resultPrefixes: resultWriterPrefixes(definition) });
    this.notifications = new DriftNotifications(this, 'Notifications', { notificationEmail: settings.notificationEmail });
    this.evidence =
      settings.evidenceRetentionDays === undefined
        ? undefined
        : new EvidenceBucket(this, 'Evidence', { retentionDays: settings.evidenceRetentionDays, accessLogs: this.manifest.accessLogs });
    const functionSettings: FunctionSettings = {
      handlersDir: props.handlersDir,
      table: this.table.table,
      resultsBucket: this.manifest.bucket,
      retentionDays: settings.retentionDays,
    };
    const memberAccessSettings: MemberAccessSettings = {
      ...functionSettings,
      scanRoleName: settings.scanRoleName,
      remediateRoleName: settings.remediateRoleName,
      organizationId,
      // Under an allowed rotation range the SCP denies periods outside it (and, when 365 is outside,
      // a request without a period): remediation asks for one inside.
      rotationPeriodDays: rotationPeriodWithin(settings.allowedRotationRange),
      allowedRotationRange: settings.allowedRotationRange,
    };
    this.functions = new RotorFunctions(this, 'Functions', {
      ...memberAccessSettings,
      driftTopicArn: this.notifications.topic.topicArn,
      securityHubExport: settings.securityHubExport,
      evidenceBucket: this.evidence?.bucket,
    });
    const handlers = this.functions.handlers;
    this.notifications.allowPublisher(handlers.Finalize.role);

    const functions = Object.fromEntries(
      STEP_FUNCTION_IDS.map((id) => [STEP_FUNCTIONS[id].substitution, handlers[id].function]),
    );
    const machine = { functions, manifestBucket: this.manifest.bucket, aslPath: props.aslPath, securityHubExport: settings.securityHubExport };
    this.rollout = new RolloutStateMachine(this, 'Rollout', { ...machine, nameSuffix: 'rollout', allowedModes: ['scan', 'remediate'] });
    // Scan-only runs cannot remediate by permission, not only by a Choice state: ValidateInput refuses
    // any other mode and this machine's role may not invoke RemediateAccount.
    this.scan = new RolloutStateMachine(this, 'Scan', { ...machine, nameSuffix: 'scan', allowedModes: ['scan'] });
    this.notifications.watchStateMachine('Rollout', this.rollout.stateMachine);
    this.notifications.watchStateMachine('Scan', this.scan.stateMachine);
    if (settings.securityHubExport) this.notifications.watchSecurityHubExport();
    this.stoppedExecutions = new StoppedExecutions(this, 'StoppedExecutions', {
      ...functionSettings,
      stateMachines: [this.rollout.stateMachine, this.scan.stateMachine],
      topic: this.notifications.topic,
    });
    this.dashboard = new OperationsDashboard(this, 'Operations', {
      dashboardName: `${this.stackName}-operations`,
      stateMachines: { rollout: this.rollout.stateMachine, scan: this.scan.stateMachine },
      functions: Object.fromEntries(STEP_FUNCTION_IDS.map((id) => [id, handlers[id].function])),
      securityHubExport: settings.securityHubExport,
    });

    if (settings.schedule) {
      // A scan enables nothing, so the input needs no rotationPeriodInDays.
      this.scheduleInput = {
        mode: 'scan',
        trigger: 'schedule',
        roleName: settings.scanRoleName,
        remediateRoleName: settings.remediateRoleName,
      };
      this.schedule = new ScanSchedule(this, 'DriftSchedule', {
        stateMachine: this.scan.stateMachine,
        expression: settings.schedule.expression,
        enabled: settings.schedule.enabled,
        input: this.scheduleInput,
      });
    }

    if (settings.enforcement !== 'off') {
      this.enforcement = new Enforcement(this, 'Enforcement', {
        ...memberAccessSettings,
        mode: settings.enforcement,
        topic: this.notifications.topic,
        topicKey: this.notifications.key,
        notifyPerKey: settings.enforcementNotifications,
      });
    }
    // Only the functions that assume member roles (credentialsFor) read the ExternalId.
    for (const reader of [handlers.ScanAccount, handlers.RemediateAccount, this.enforcement?.handler]) if (reader) this.externalId.allowRead(reader);
    // The member StackSet's Regions: this one (the roles) and every enforced one (a rule each).
    const home = Token.isUnresolved(this.region) ? Aws.REGION : this.region;
    const enforcedRegions = [...new Set([home, ...(settings.enforcementRegions ?? [])])];

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
      externalId,
      keyEvents: this.enforcement && { busArn: this.enforcement.bus.eventBusArn, regions: enforcedRegions, allowedRotationRange: settings.allowedRotationRange },
    });

    const outputs: Record<(typeof OUTPUTS)[number], { value: string; description: string }> = {
      StateMachineArn: {
        value: this.rollout.stateMachine.stateMachineArn,
        description: 'The rollout state machine, scan and remediate (rotor run --mode remediate starts it)',
      },
      ScanStateMachineArn: {
        value: this.scan.stateMachine.stateMachineArn,
        description: 'The scan-only state machine, which cannot remediate (the schedule and scan runs start it)',
      },
      ResultsTableName: { value: this.table.table.tableName, description: 'The results table (findings, runs, exceptions)' },
      ManifestBucketName: { value: this.manifest.bucket.bucketName, description: 'The results bucket: account scans (scans/), account manifests and Map Run results' },
      DriftTopicArn: { value: this.notifications.topic.topicArn, description: 'Drift and run alarm notifications' },
    };
    for (const [name, output] of Object.entries(outputs)) new CfnOutput(this, name, output);
    if (this.evidence) new CfnOutput(this, 'EvidenceBucketName', { value: this.evidence.bucket.bucketName, description: 'Each run\'s evidence bundle (evidence/<runId>/), held by S3 Object Lock in governance mode' });
  }
}
