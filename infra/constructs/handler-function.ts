// One Lambda handler of the rollout: a NodejsFunction bundled by the local esbuild, with its own role,
// its own log group and X-Ray tracing. Permissions are added by the caller, one concern at a time.
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../nag';

/** The repository root: esbuild runs there and resolves node_modules and package-lock.json from it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The newest Node.js runtime aws-cdk-lib offers (a test fails when a newer one appears). */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** What X-Ray tracing needs: these actions have no resource-level permissions. */
const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

export interface HandlerFunctionProps {
  /** The handler's TypeScript file (exports `handler`). */
  entry: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  /** Actions this function is granted on Resource "*" besides X-Ray's (for the cdk-nag reason). */
  unscopedActions?: string[];
}

export class HandlerFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    // An explicit role: the default one would carry the AWSLambdaBasicExecutionRole managed policy,
    // whose logs permissions span every log group of the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `kms-rotor ${id}: ${props.description}`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: `kms-rotor ${id}: ${props.description}`,
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      environment: props.environment,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        // Ship the SDK versions the handlers are tested with, not whatever the runtime bundles.
        bundleAwsSDK: true,
      },
    });

    const unscoped = [...XRAY_ACTIONS, ...(props.unscopedActions ?? [])];
    acknowledgeWildcardResources(
      this.role,
      ['*'],
      `${id}: Resource "*" only for actions that have no resource-level permissions: ${unscoped.join(', ')}.`,
    );
  }

  /** Add a statement to this function's role. */
  allow(statement: iam.PolicyStatementProps): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement(statement));
  }
}
