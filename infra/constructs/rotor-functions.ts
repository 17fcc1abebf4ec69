// The nine Lambda handlers of the rollout (one per Task state of statemachine/rollout.asl.json) and
// the least privilege each one needs: table access for all, Organizations reads for list-accounts,
// AssumeRole into one member role name for scan and remediate, publish and metrics for finalize.
import * as path from 'node:path';
import { Aws, Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../nag';
import { KEY_READ_ACTIONS, REMEDIATE_ACTIONS, UNSCOPED_READ_ACTIONS } from '../member-template';
import { MANIFEST_PREFIX } from './manifest-bucket';
import { HandlerFunction, PROJECT_ROOT } from './handler-function';
import type { RotationRange } from '../context';

export const SERVICE_NAME = 'kms-rotor';
export const METRICS_NAMESPACE = 'KmsRotor';
export const DEFAULT_HANDLERS_DIR = path.join(PROJECT_ROOT, 'functions', 'handlers');

/** Organizations reads that only accept Resource "*". */
export const ORGANIZATIONS_UNSCOPED_ACTIONS = [
  'organizations:ListAccounts',
  'organizations:ListRoots',
  'organizations:DescribeOrganization',
] as const;
/** Organizations reads scoped to the root, OU and account ARNs of the organization. */
export const ORGANIZATIONS_SCOPED_ACTIONS = [
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListChildren',
  'organizations:ListParents',
  'organizations:ListTagsForResource',
  'organizations:DescribeAccount',
] as const;

type TableAccess = 'read' | 'readWrite';

interface HandlerSpec {
  file: string;
  /** The `${...}` name of this function's ARN in the ASL. */
  substitution: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  table: TableAccess;
}

/** One entry per handler file; the key is the construct id. */
export const HANDLERS = {
  ValidateInput: {
    file: 'validate-input.ts',
    substitution: 'ValidateInputFunctionArn',
    description: 'validates the execution input and opens the run',
    timeout: Duration.minutes(1),
    memorySize: 256,
    table: 'readWrite',
  },
  ListAccounts: {
    file: 'list-accounts.ts',
    substitution: 'ListAccountsFunctionArn',
    description: 'lists the organization accounts in scope and writes the account manifest',
    // 10,000 accounts: ~500 ListAccounts pages and, with tag-based priority, a tag read per account.
    timeout: Duration.minutes(15),
    memorySize: 512,
    table: 'readWrite',
  },
  ScanAccount: {
    file: 'scan-account.ts',
    substitution: 'ScanAccountFunctionArn',
    description: 'scans one account, every enabled Region, through the read-only scan role',
    timeout: Duration.minutes(15),
    // More memory is more CPU and network for the concurrent per-Region scans.
    memorySize: 1024,
    table: 'readWrite',
  },
  RecordError: {
    file: 'record-error.ts',
    substitution: 'RecordErrorFunctionArn',
    description: 'records an account that could not be scanned or remediated',
    timeout: Duration.minutes(1),
    memorySize: 256,
    table: 'readWrite',
  },
  PlanWaves: {
    file: 'plan-waves.ts',
    substitution: 'PlanWavesFunctionArn',
    description: 'orders the non-compliant keys of the run into remediation waves',
    timeout: Duration.minutes(5),
    memorySize: 1024,
    table: 'readWrite',
  },
  GetWave: {
    file: 'get-wave.ts',
    substitution: 'GetWaveFunctionArn',
    description: 'reads the accounts of one wave',
    timeout: Duration.minutes(1),
    memorySize: 256,
    table: 'read',
  },
  RemediateAccount: {
    file: 'remediate-account.ts',
    substitution: 'RemediateAccountFunctionArn',
    description: 'enables rotation on the wave keys of one account through the remediate role, then re-scans them',
    timeout: Duration.minutes(15),
    memorySize: 512,
    table: 'readWrite',
  },
  ValidationGate: {
    file: 'validation-gate.ts',
    substitution: 'ValidationGateFunctionArn',
    description: 'counts the outcome of a wave and halts the rollout above the failure threshold',
    timeout: Duration.minutes(2),
    memorySize: 512,
    table: 'readWrite',
  },
  Finalize: {
    file: 'finalize.ts',
    substitution: 'FinalizeFunctionArn',
    description: 'writes the run summary and drift, publishes drift and metrics',
    timeout: Duration.minutes(5),
    memorySize: 1024,
    table: 'readWrite',
  },
} as const satisfies Record<string, HandlerSpec>;

export type HandlerId = keyof typeof HANDLERS;

export interface RotorFunctionsProps {
  handlersDir?: string;
  table: dynamodb.ITable;
  manifestBucket: s3.IBucket;
  scanRoleName: string;
  remediateRoleName: string;
  /** The organization id (a literal or a parameter's token). */
  organizationId: string;
  /** The ExternalId the member roles require (a literal or the required parameter's token). */
  externalId: string;
  /**
   * The rotation period remediation asks for when the organization allows only some periods
   * (`allowedRotationRange`); undefined leaves KMS's default.
   */
  defaultRotationPeriodDays?: number;
  /** The organization's allowed rotation periods: ValidateInput refuses a run that asks for another. */
  allowedRotationRange?: RotationRange;
  driftTopicArn: string;
}

export class RotorFunctions extends Construct {
  readonly handlers: Record<HandlerId, HandlerFunction>;

  constructor(scope: Construct, id: string, props: RotorFunctionsProps) {
    super(scope, id);
    const handlersDir = props.handlersDir ?? DEFAULT_HANDLERS_DIR;
    const common = { TABLE_NAME: props.table.tableName, SERVICE_NAME };
    const environment: Partial<Record<HandlerId, Record<string, string>>> = {
      // This deployment's member role names, ExternalId and (under a rotation range) rotation period:
      // the defaults ValidateInput applies to an input that omits them (scan and remediate then read
      // them from the config).
      ValidateInput: {
        SCAN_ROLE_NAME: props.scanRoleName,
        REMEDIATE_ROLE_NAME: props.remediateRoleName,
        EXTERNAL_ID: props.externalId,
        ...(props.defaultRotationPeriodDays === undefined ? {} : { DEFAULT_ROTATION_PERIOD_DAYS: String(props.defaultRotationPeriodDays) }),
        ...(props.allowedRotationRange ? { ALLOWED_ROTATION_RANGE: `${props.allowedRotationRange.min}-${props.allowedRotationRange.max}` } : {}),
      },
      ListAccounts: { MANIFEST_BUCKET: props.manifestBucket.bucketName, MANIFEST_PREFIX },
      Finalize: { DRIFT_TOPIC_ARN: props.driftTopicArn, METRICS_NAMESPACE },
    };
    const unscopedActions: Partial<Record<HandlerId, string[]>> = {
      ListAccounts: [...ORGANIZATIONS_UNSCOPED_ACTIONS],
      ScanAccount: [...UNSCOPED_READ_ACTIONS],
      RemediateAccount: [...UNSCOPED_READ_ACTIONS],
      Finalize: ['cloudwatch:PutMetricData (limited to the KmsRotor namespace by condition)'],
    };

    // No reserved concurrency: the Distributed Maps' MaxConcurrency (40 scans, 20 remediations) already
    // bounds the fan-out, and reserving would fail deployment in accounts whose unreserved pool would
    // drop below Lambda's minimum.
    const handlers = {} as Record<HandlerId, HandlerFunction>;
    for (const [handlerId, spec] of Object.entries(HANDLERS) as [HandlerId, HandlerSpec][]) {
      const handler = new HandlerFunction(this, handlerId, {
        entry: path.join(handlersDir, spec.file),
        description: spec.description,
        timeout: spec.timeout,
        memorySize: spec.memorySize,
        environment: { ...common, ...environment[handlerId] },
        unscopedActions: unscopedActions[handlerId],
      });
      if (spec.table === 'read') props.table.grantReadData(handler.role);
      else props.table.grantReadWriteData(handler.role);
      acknowledgeWildcardResources(
        handler.role,
        [`${props.table.tableArn}/index/*`],
        `${handlerId} has ${spec.table === 'read' ? 'read-only' : 'read-write'} access to the results table, which covers its gsi1 (findings by status, runs newest first) and gsi2 (history of a key) indexes; index ARNs are table/<name>/index/<index>, this table only.`,
      );
      handlers[handlerId] = handler;
    }
    this.handlers = handlers;

    this.allowOrganizationsReads(handlers.ListAccounts, props);
    this.allowMemberAccess(handlers.ScanAccount, 'ScanAccount', props.scanRoleName, [], props.organizationId);
    this.allowMemberAccess(handlers.RemediateAccount, 'RemediateAccount', props.remediateRoleName, [...REMEDIATE_ACTIONS], props.organizationId);
    this.allowFinalizeOutputs(handlers.Finalize, props.driftTopicArn);
  }

  private allowOrganizationsReads(handler: HandlerFunction, props: RotorFunctionsProps): void {
    handler.allow({ sid: 'OrganizationsReadsWithoutResourceScope', actions: [...ORGANIZATIONS_UNSCOPED_ACTIONS], resources: ['*'] });
    // Organizations ARNs carry the management account, which may not be this one: any account, this organization.
    const orgArn = (type: string, id: string) => `arn:${Aws.PARTITION}:organizations::*:${type}/${props.organizationId}/${id}`;
    const organizationArns = [orgArn('root', 'r-*'), orgArn('ou', 'ou-*'), orgArn('account', '*')];
    handler.allow({ sid: 'OrganizationsReadsOfThisOrganization', actions: [...ORGANIZATIONS_SCOPED_ACTIONS], resources: organizationArns });
    const manifestObjects = props.manifestBucket.arnForObjects(`${MANIFEST_PREFIX}*`);
    handler.allow({ sid: 'WriteAccountManifest', actions: ['s3:PutObject'], resources: [manifestObjects] });
    acknowledgeWildcardResources(
      handler.role,
      organizationArns,
      'ListAccounts reads the organization tree: Organizations ARNs embed the management account id and the member ids (root, OU, account), unknown at deploy time; the ARNs are pinned to this organization id.',
    );
    acknowledgeWildcardResources(
      handler.role,
      [manifestObjects],
      `ListAccounts writes each run's own account manifest object under the ${MANIFEST_PREFIX} prefix of the manifest bucket, and nowhere else.`,
    );
  }

  /**
   * Scan and remediate: AssumeRole into one member role name (any account of the organization), and
   * the same KMS reads (plus `extraKeyActions`) in this account, which they scan with their own credentials.
   */
  private allowMemberAccess(
    handler: HandlerFunction,
    handlerId: HandlerId,
    roleName: string,
    extraKeyActions: string[],
    organizationId: string,
  ): void {
    const memberRoles = `arn:${Aws.PARTITION}:iam::*:role/${roleName}`;
    const keysOfThisAccount = `arn:${Aws.PARTITION}:kms:*:${Aws.ACCOUNT_ID}:key/*`;
    handler.allow({
      sid: 'AssumeMemberRole',
      actions: ['sts:AssumeRole'],
      resources: [memberRoles],
      conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
    });
    handler.allow({ sid: 'ListKeysAliasesRegions', actions: [...UNSCOPED_READ_ACTIONS], resources: ['*'] });
    handler.allow({
      sid: 'KeyRotationOfThisAccount',
      actions: [...KEY_READ_ACTIONS, ...extraKeyActions],
      resources: [keysOfThisAccount],
    });
    acknowledgeWildcardResources(
      handler.role,
      [memberRoles],
      `${handlerId} assumes the member role ${roleName}, which has the same name in every member account; the account part is a wildcard and aws:ResourceOrgID pins it to this organization.`,
    );
    const keyActions = [...KEY_READ_ACTIONS, ...extraKeyActions];
    acknowledgeWildcardResources(
      handler.role,
      [keysOfThisAccount],
      extraKeyActions.length > 0
        ? `${handlerId} grants ${extraKeyActions.join(', ')} (with ${KEY_READ_ACTIONS.join(', ')}) on every key of the orchestrator's own account, in every Region, which it remediates with its own credentials; other accounts it reaches only through ${roleName}.`
        : `${handlerId} reads ${keyActions.join(', ')} on every key of the orchestrator's own account, in every Region, which it scans with its own credentials; reads only, it changes nothing.`,
    );
  }

  private allowFinalizeOutputs(handler: HandlerFunction, driftTopicArn: string): void {
    // sns:Publish is added here rather than by topic.grantPublish, which would also grant KMS
    // Decrypt/GenerateDataKey on the topic key: the key policy grants those to this role, via SNS only.
    handler.allow({ sid: 'PublishDrift', actions: ['sns:Publish'], resources: [driftTopicArn] });
    handler.allow({
      sid: 'PublishRunMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
    });
  }
}
