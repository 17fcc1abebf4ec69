// A state machine deployed from statemachine/rollout.asl.json (the one definition the local runner
// also executes) with a `${...}` substitution for every function ARN, the manifest bucket, the
// modes it may run and whether it exports to Security Hub, and a role holding exactly what the
// states reachable in those modes (and with that export) need: the
// rollout machine (scan and remediate) and the scan-only machine are both made by this construct.
import { Aws, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RunMode } from '../../functions/core/schemas';
import { acknowledgeWildcardResources } from '../nag';
import { MANIFEST_PREFIX } from './manifest-bucket';
import { ASL_PATH, allStates, innerMachines, readAslText, resultWriterPrefix, substitutionNames, taskSubstitution, type AslDefinition, type AslState, type AslStates } from '../../statemachine/asl';

/** The substitution that names the bucket of the Distributed Maps' ResultWriter. */
export const MANIFEST_BUCKET_SUBSTITUTION = 'ManifestBucket';
/** The substitution ValidateInput receives as `allowedModes`: the modes this machine may run. */
export const ALLOWED_MODES_SUBSTITUTION = 'AllowedModes';
/** The input field the ASL's Choice states test to tell a scan from a remediation. */
export const MODE_PATH = '$.config.mode';
/** The substitution the SecurityHubExportConfigured Pass state puts at SECURITY_HUB_EXPORT_PATH: "true" or "false". */
export const SECURITY_HUB_EXPORT_SUBSTITUTION = 'SecurityHubExport';
export const SECURITY_HUB_EXPORT_PATH = '$.securityHubExport';

/** The S3 prefixes the definition's ResultWriters write to, at any depth. */
export function resultWriterPrefixes(definition: AslStates): string[] {
  return [...new Set(allStates(definition).map(({ state }) => resultWriterPrefix(state)).filter((p): p is string => p !== undefined))];
}

/** The mode a Choice rule requires (`$.config.mode` StringEquals, alone or inside an And), if any. */
function requiredMode(rule: AslState): string | undefined {
  if (rule.Variable === MODE_PATH && typeof rule.StringEquals === 'string') return rule.StringEquals;
  if (Array.isArray(rule.And)) return rule.And.map(requiredMode).find((mode: string | undefined) => mode !== undefined);
  return undefined;
}

/** Whether a Choice rule requires the Security Hub export (`$.securityHubExport` StringEquals "true"). */
const requiresSecurityHubExport = (rule: AslState): boolean => rule.Variable === SECURITY_HUB_EXPORT_PATH && rule.StringEquals === 'true';

/**
 * The states a run can reach when its mode is one of `allowedModes`, nested Map and Parallel states
 * included: a Choice rule that requires another mode is never taken (ValidateInput refuses any other
 * mode before the first Choice), nor one that requires the Security Hub export when the machine has
 * it off. Every other transition (Next, Default, Catch) counts as taken.
 */
export function reachableStates(definition: AslDefinition, allowedModes: readonly string[], securityHubExport = false): AslState[] {
  const reached: AslState[] = [];
  const walk = (machine: AslDefinition): void => {
    const seen = new Set<string>();
    const queue = [machine.StartAt];
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (seen.has(name)) continue;
      const state = machine.States[name];
      if (!state) throw new Error(`the definition goes to a state ${name} it does not define`);
      seen.add(name);
      reached.push(state);
      const rules: AslState[] = state.Choices ?? [];
      const taken = rules.filter((rule) => {
        const mode = requiredMode(rule);
        return (mode === undefined || allowedModes.includes(mode)) && (securityHubExport || !requiresSecurityHubExport(rule));
      });
      const catches: AslState[] = state.Catch ?? [];
      queue.push(...[state.Next, state.Default, ...taken.map((r) => r.Next), ...catches.map((c) => c.Next)].filter(Boolean));
      innerMachines(state).forEach(walk);
    }
  };
  walk(definition);
  return reached;
}

/** The `${...}` names of the Task resources among `states` (the functions they invoke). */
export function invokedSubstitutions(states: AslState[]): string[] {
  return [...new Set(states.map(taskSubstitution).filter((name): name is string => name !== undefined))];
}

export interface RolloutStateMachineProps {
  /** The state machine's name is `<stack name>-<suffix>`: `rollout` or `scan`. */
  nameSuffix: string;
  /** The modes the machine may run: its `${AllowedModes}`, and what its role allows. */
  allowedModes: readonly RunMode[];
  /** Whether runs export their findings to Security Hub: its `${SecurityHubExport}`, and whether its role may invoke the export. */
  securityHubExport?: boolean;
  /** The function behind each `${...}FunctionArn` substitution of the ASL. */
  functions: Record<string, lambda.IFunction>;
  manifestBucket: s3.IBucket;
  aslPath?: string;
}

export class RolloutStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly stateMachineName: string;
  /** The substitutions of the functions this machine's role may invoke. */
  readonly invokedFunctions: string[];

  constructor(scope: Construct, id: string, props: RolloutStateMachineProps) {
    super(scope, id);
    const aslPath = props.aslPath ?? ASL_PATH;
    const aslText = readAslText(aslPath);
    // Every function is substituted, even one this machine may not invoke (the scan-only machine's
    // RemediateAccount): one definition for both machines; an invoke there would be denied by IAM.
    const substitutions: Record<string, string> = {
      [MANIFEST_BUCKET_SUBSTITUTION]: props.manifestBucket.bucketName,
      [ALLOWED_MODES_SUBSTITUTION]: props.allowedModes.join(','),
      [SECURITY_HUB_EXPORT_SUBSTITUTION]: String(props.securityHubExport ?? false),
      ...Object.fromEntries(Object.entries(props.functions).map(([name, fn]) => [name, fn.functionArn])),
    };
    const missing = substitutionNames(aslText).filter((name) => !(name in substitutions));
    if (missing.length > 0) {
      throw new Error(`${aslPath} refers to \${${missing.join('}, ${')}} which the stack does not substitute`);
    }

    const reachable = reachableStates(JSON.parse(aslText) as AslDefinition, props.allowedModes, props.securityHubExport);
    this.invokedFunctions = invokedSubstitutions(reachable);
    const unknown = this.invokedFunctions.filter((name) => !(name in props.functions));
    if (unknown.length > 0) throw new Error(`${aslPath}: the Task resources \${${unknown.join('}, ${')}} are not functions of the stack`);
    const prefixes = [...new Set(reachable.map(resultWriterPrefix).filter((p): p is string => p !== undefined))];
    const readsItems = reachable.some((state) => state.ItemReader !== undefined);
    const runsDistributedMaps = reachable.some((state) => state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED');

    // Named, so that the role can name its own executions (Distributed Map children) without a cycle.
    this.stateMachineName = `${Stack.of(this).stackName}-${props.nameSuffix}`;
    const arn = (resource: string, name: string) => `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}:${name}`;
    const modes = props.allowedModes.join(' and ');

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `kms-rotor ${this.stateMachineName} state machine (${modes}): invokes its functions and runs its Distributed Maps`,
    });
    const allow = (statement: iam.PolicyStatementProps) => this.role.addToPrincipalPolicy(new iam.PolicyStatement(statement));
    allow({
      sid: 'InvokeReachableFunctions',
      actions: ['lambda:InvokeFunction'],
      resources: this.invokedFunctions.map((name) => props.functions[name].functionArn),
    });
    // Distributed Map (AWS docs, "IAM policies for Distributed Map states"): the parent starts child
    // executions of this same state machine, and describes, stops and redrives them. Child ARNs are
    // execution:<name>/<map run label>:<id>; top-level runs (execution:<name>:<id>) are not the role's business.
    const childExecutions = arn('execution', `${this.stateMachineName}/*`);
    if (runsDistributedMaps) {
      allow({ sid: 'StartMapRunChildren', actions: ['states:StartExecution'], resources: [arn('stateMachine', this.stateMachineName)] });
      allow({ sid: 'ManageMapRunChildren', actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [childExecutions] });
      allow({ sid: 'RedriveMapRunChildren', actions: ['states:RedriveExecution'], resources: [childExecutions] });
      acknowledgeWildcardResources(
        this.role,
        [childExecutions],
        `Distributed Map child executions of ${this.stateMachineName} get generated names (execution:${this.stateMachineName}/<map run label>:<id>); the grant covers only that state machine's Map Run children, not its top-level runs.`,
      );
    }
    const grantedObjects: string[] = [];
    if (readsItems) {
      const manifestObjects = props.manifestBucket.arnForObjects(`${MANIFEST_PREFIX}*`);
      allow({ sid: 'ReadAccountManifest', actions: ['s3:GetObject'], resources: [manifestObjects] });
      grantedObjects.push(manifestObjects);
    }
    const resultObjects = prefixes.map((prefix) => props.manifestBucket.arnForObjects(`${prefix}/*`));
    if (resultObjects.length > 0) {
      allow({
        sid: 'WriteMapRunResults',
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: resultObjects,
      });
      grantedObjects.push(...resultObjects);
    }
    if (grantedObjects.length > 0) {
      acknowledgeWildcardResources(
        this.role,
        grantedObjects,
        `${this.stateMachineName}: the ItemReader reads the run's account manifest under ${MANIFEST_PREFIX} and the ResultWriter writes per-Map-Run objects under ${prefixes.join(', ')}; each grant is one prefix of the manifest bucket.`,
      );
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // The vended-logs prefix keeps the account's CloudWatch Logs resource policy from growing per
      // log group. The stack id's UUID makes the name new for every creation of the stack, so a
      // redeploy after `cdk destroy` does not collide with the retained group of the previous one.
      logGroupName: `/aws/vendedlogs/states/${this.stateMachineName}-${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`,
      retention: logs.RetentionDays.ONE_YEAR,
      // Execution history with its data is audit evidence: it outlives the stack, for its retention.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The definition is inlined (DefinitionString) from the file rather than DefinitionBody.fromFile,
    // which would upload it as an S3 asset and hide it from cfn-lint, cdk-nag and template assertions.
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(aslText),
      definitionSubstitutions: substitutions,
      role: this.role,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });

    acknowledgeWildcardResources(
      this.role,
      ['*'],
      `${this.stateMachineName}: Resource "*" only for actions without resource-level permissions: the CloudWatch Logs vended-delivery actions of execution logging (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets).`,
    );
  }
}
