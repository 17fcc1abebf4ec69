// The rollout state machine, deployed from statemachine/rollout.asl.json (the one definition the local
// runner also executes) with a `${...}` substitution for every function ARN and the manifest bucket,
// and a role holding exactly what the Task states and the two Distributed Maps need.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../nag';
import { PROJECT_ROOT } from './handler-function';
import { MANIFEST_PREFIX } from './manifest-bucket';

export const ASL_PATH = path.join(PROJECT_ROOT, 'statemachine', 'rollout.asl.json');
/** The substitution that names the bucket of the Distributed Maps' ResultWriter. */
export const MANIFEST_BUCKET_SUBSTITUTION = 'ManifestBucket';

/** Every `${Name}` the ASL text refers to, in order of first use. */
export function aslSubstitutionNames(aslText: string): string[] {
  return [...new Set([...aslText.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]))];
}

/** The S3 prefixes the definition's ResultWriters write to (the role may write only there). */
export function resultWriterPrefixes(definition: unknown): string[] {
  const prefixes = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const writer = record.ResultWriter as { Parameters?: { Prefix?: unknown } } | undefined;
    if (writer && typeof writer.Parameters?.Prefix === 'string') prefixes.add(writer.Parameters.Prefix.replace(/\/+$/, ''));
    Object.values(record).forEach(visit);
  };
  visit(definition);
  return [...prefixes];
}

export interface RolloutStateMachineProps {
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

  constructor(scope: Construct, id: string, props: RolloutStateMachineProps) {
    super(scope, id);
    const aslText = fs.readFileSync(props.aslPath ?? ASL_PATH, 'utf8');
    const substitutions: Record<string, string> = {
      [MANIFEST_BUCKET_SUBSTITUTION]: props.manifestBucket.bucketName,
      ...Object.fromEntries(Object.entries(props.functions).map(([name, fn]) => [name, fn.functionArn])),
    };
    const missing = aslSubstitutionNames(aslText).filter((name) => !(name in substitutions));
    if (missing.length > 0) {
      throw new Error(`${props.aslPath ?? ASL_PATH} refers to \${${missing.join('}, ${')}} which the stack does not substitute`);
    }

    // Named, so that the role can name its own executions (Distributed Map children) without a cycle.
    this.stateMachineName = `${Stack.of(this).stackName}-rollout`;
    const arn = (resource: string, name: string) => `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}:${name}`;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'kms-rotor rollout state machine: invokes its functions and runs its Distributed Maps',
    });
    const allow = (statement: iam.PolicyStatementProps) => this.role.addToPrincipalPolicy(new iam.PolicyStatement(statement));
    allow({
      sid: 'InvokeRolloutFunctions',
      actions: ['lambda:InvokeFunction'],
      resources: Object.values(props.functions).map((fn) => fn.functionArn),
    });
    // Distributed Map: the parent starts child executions of this same state machine, and watches,
    // stops and redrives them (child ARNs are execution:<name>/<map run label>:<id>).
    allow({ sid: 'StartMapRunChildren', actions: ['states:StartExecution'], resources: [arn('stateMachine', this.stateMachineName)] });
    const childExecutions = [arn('execution', `${this.stateMachineName}:*`), arn('execution', `${this.stateMachineName}/*`)];
    allow({ sid: 'ManageMapRunChildren', actions: ['states:DescribeExecution', 'states:StopExecution'], resources: childExecutions });
    allow({ sid: 'RedriveMapRunChildren', actions: ['states:RedriveExecution'], resources: [arn('execution', `${this.stateMachineName}/*`)] });
    const manifestObjects = props.manifestBucket.arnForObjects(`${MANIFEST_PREFIX}*`);
    allow({ sid: 'ReadAccountManifest', actions: ['s3:GetObject'], resources: [manifestObjects] });
    const definition: unknown = JSON.parse(aslText);
    const prefixes = resultWriterPrefixes(definition);
    const resultObjects = prefixes.map((prefix) => props.manifestBucket.arnForObjects(`${prefix}/*`));
    if (prefixes.length > 0) {
      allow({
        sid: 'WriteMapRunResults',
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: resultObjects,
      });
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // The vended-logs prefix keeps the account's CloudWatch Logs resource policy from growing per log group.
      logGroupName: `/aws/vendedlogs/states/${this.stateMachineName}`,
      retention: logs.RetentionDays.ONE_YEAR,
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
      'Resource "*" only for actions without resource-level permissions: the CloudWatch Logs vended-delivery actions of execution logging (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets).',
    );
    acknowledgeWildcardResources(
      this.role,
      childExecutions,
      'Distributed Map child executions get generated names under this state machine (execution:<name>:<id> and execution:<name>/<map run label>:<id>); the ARNs are pinned to this one state machine.',
    );
    acknowledgeWildcardResources(
      this.role,
      [manifestObjects, ...resultObjects],
      `The ItemReader reads the run's account manifest under ${MANIFEST_PREFIX} and the ResultWriter writes per-Map-Run objects under ${prefixes.join(', ')}; each grant is one prefix of the manifest bucket.`,
    );
  }
}
