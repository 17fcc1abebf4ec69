// The Lambda functions of the rollout (statemachine/steps.ts names them, their handlers, timeouts,
// memory and what they write) and the least privilege each one needs: table reads for all and writes only to the partitions it
// writes (dynamodb:LeadingKeys), objects of the results bucket only under the prefixes it touches,
// Organizations reads for list-accounts, AssumeRole into one member role name for scan and
// remediate, publish for finalize (its metrics are EMF in its logs: no API call, no grant), and
// BatchImportFindings for the Security Hub export when it is on.
import { Aws, Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { keys } from '../../functions/store/layout';
import { acknowledgeWildcardResources } from '../nag';
import { KEY_READ_ACTIONS, KEY_TAG_READ_ACTIONS, REMEDIATE_ACTIONS, UNSCOPED_READ_ACTIONS } from '../member-template';
import { MANIFEST_PREFIX, SCANS_PREFIX } from './manifest-bucket';
import { EVIDENCE_PREFIX } from './evidence-bucket';
import { HandlerFunction } from './handler-function';
import { handlerEntry, rotationRangeEnvironment, storeEnvironment, type MemberAccessSettings } from './function-settings';
import { STEP_FUNCTIONS, STEP_FUNCTION_IDS, type ObjectPrefix, type PartitionKind, type StepFunction, type StepFunctionId } from '../../statemachine/steps';

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

/** What the store writes with (createRun and the puts, updateRun, BatchWriteItem); no function deletes. */
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'] as const;

/** A run id has no `#` (ExecutionInput and runIdFor allow [A-Za-z0-9_.-]): `*` stands for one. */
const ANY = '*';
const anyShard = (partition: string) => partition.replace(/\d+$/, ANY);

/**
 * The partition keys of the results table (functions/store/layout.ts `keys`), as dynamodb:LeadingKeys
 * patterns: what a function may write is a list of these. `notLike` keeps the run partition
 * (`RUN#<id>`: run record, wave plan) apart from the run's other partitions, which share its prefix.
 */
export const PARTITIONS = {
  /** `RUN#<id>`: the run record and its waves. */
  run: { like: keys.run(ANY).pk, notLike: `${keys.run(ANY).pk}#${ANY}` },
  /** `RUN#<id>#ACCOUNTS#nn`: account summaries and wave outcomes. */
  accounts: { like: anyShard(keys.accountsPartition(ANY, 0)) },
  /** `RUN#<id>#ERRORS#nn`: error records. */
  errors: { like: anyShard(keys.errorsPartition(ANY, 0)) },
  /** `RUN#<id>#KEYS#<account>`: remediation state per key. */
  remediation: { like: keys.remediationPartition(ANY, ANY) },
  /** `KEY#<arn>`: a key's history. */
  history: { like: keys.historyPartition(ANY) },
  /** `ACCOUNT#<account>`: the run that last scanned an account. */
  latest: { like: keys.latestScan(ANY).pk },
} as const satisfies Record<PartitionKind, { like: string; notLike?: string }>;

/** The prefixes of the results bucket a function reads or writes objects under. */
export const OBJECT_PREFIXES = { scans: SCANS_PREFIX, manifests: MANIFEST_PREFIX } as const satisfies Record<ObjectPrefix, string>;


/** ValidateInput refuses a run that asks for a rotation period outside `allowedRotationRange`. */
export interface RotorFunctionsProps extends MemberAccessSettings {
  driftTopicArn: string;
  /** ExportToSecurityHub may import each run's findings into this account's Security Hub (context `securityHubExport`). */
  securityHubExport?: boolean;
  /** Where Finalize leaves each run's evidence bundle (context `evidenceRetentionDays`). */
  evidenceBucket?: s3.IBucket;
}

export class RotorFunctions extends Construct {
  readonly handlers: Record<StepFunctionId, HandlerFunction>;

  constructor(scope: Construct, id: string, props: RotorFunctionsProps) {
    super(scope, id);
    const common = storeEnvironment(props);
    const environment: Partial<Record<StepFunctionId, Record<string, string>>> = {
      // This deployment's member role names and (under a rotation range) rotation period: the defaults
      // ValidateInput applies to an input that omits them (scan and remediate then read them from the
      // config). Not the ExternalId: the stack gives only the functions that assume member roles its secret.
      ValidateInput: {
        SCAN_ROLE_NAME: props.scanRoleName,
        REMEDIATE_ROLE_NAME: props.remediateRoleName,
        ...(props.rotationPeriodDays === undefined ? {} : { DEFAULT_ROTATION_PERIOD_DAYS: String(props.rotationPeriodDays) }),
        ...rotationRangeEnvironment(props.allowedRotationRange),
      },
      Finalize: {
        DRIFT_TOPIC_ARN: props.driftTopicArn,
        ...(props.evidenceBucket ? { EVIDENCE_BUCKET: props.evidenceBucket.bucketName } : {}),
      },
    };
    const unscopedActions: Partial<Record<StepFunctionId, string[]>> = {
      ListAccounts: [...ORGANIZATIONS_UNSCOPED_ACTIONS],
      ScanAccount: [...UNSCOPED_READ_ACTIONS],
      RemediateAccount: [...UNSCOPED_READ_ACTIONS],
    };

    // No reserved concurrency: the Distributed Maps' MaxConcurrency (40 scans, 20 remediations) already
    // bounds the fan-out, and reserving would fail deployment in accounts whose unreserved pool would
    // drop below Lambda's minimum.
    const handlers = {} as Record<StepFunctionId, HandlerFunction>;
    for (const handlerId of STEP_FUNCTION_IDS) {
      const spec: StepFunction = STEP_FUNCTIONS[handlerId];
      const handler = new HandlerFunction(this, handlerId, {
        entry: handlerEntry(props, spec.file),
        description: spec.description,
        timeout: Duration.seconds(spec.timeoutSeconds),
        memorySize: spec.memoryMB,
        environment: { ...common, ...environment[handlerId] },
        unscopedActions: unscopedActions[handlerId],
      });
      this.allowTable(handler, handlerId, spec, props.table);
      this.allowObjects(handler, handlerId, spec, props.resultsBucket);
      handlers[handlerId] = handler;
    }
    this.handlers = handlers;

    this.allowOrganizationsReads(handlers.ListAccounts, props.organizationId);
    this.allowMemberAccess(handlers.ScanAccount, 'ScanAccount', props.scanRoleName, [...KEY_TAG_READ_ACTIONS], props.organizationId);
    this.allowMemberAccess(handlers.RemediateAccount, 'RemediateAccount', props.remediateRoleName, [...REMEDIATE_ACTIONS], props.organizationId);
    this.allowFinalizeOutputs(handlers.Finalize, props.driftTopicArn);
    if (props.evidenceBucket) {
      // New objects under evidence/ only: no read, no delete, no retention change or bypass.
      const bundles = props.evidenceBucket.arnForObjects(`${EVIDENCE_PREFIX}*`);
      handlers.Finalize.allow({ sid: 'WriteEvidenceBundle', actions: ['s3:PutObject'], resources: [bundles] });
      acknowledgeWildcardResources(handlers.Finalize.role, [bundles], 'Finalize writes each run\'s evidence bundle under evidence/<runId>/ of the evidence bucket, and no other prefix of it; the run ids are not known at deploy time.');
    }
    if (props.securityHubExport) {
      // Findings of the account's own default product only (a custom integration's findings); no
      // other function holds a Security Hub right, and without the option neither does this one.
      handlers.ExportToSecurityHub.allow({
        sid: 'ImportFindingsIntoSecurityHub',
        actions: ['securityhub:BatchImportFindings'],
        resources: [`arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`],
      });
    }
  }

  /**
   * Reads of the whole table and its index; writes (no deletes: only the CLI removes exceptions)
   * to the partitions the function writes, by dynamodb:LeadingKeys. The run partition shares its
   * prefix with the run's other partitions, so it has a statement of its own that excludes them.
   * The store never mixes partition kinds in one BatchWriteItem.
   */
  private allowTable(handler: HandlerFunction, handlerId: StepFunctionId, spec: StepFunction, table: dynamodb.ITable): void {
    table.grantReadData(handler.role);
    acknowledgeWildcardResources(
      handler.role,
      [`${table.tableArn}/index/*`],
      `${handlerId} reads the results table, which covers its one index gsi1 (runs newest first); index ARNs are table/<name>/index/<index>, this table only.`,
    );
    const leading = 'dynamodb:LeadingKeys';
    if (spec.writes.includes('run')) {
      const { like, notLike } = PARTITIONS.run;
      handler.allow({
        sid: 'WriteRunPartition',
        actions: [...TABLE_WRITE_ACTIONS],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { [leading]: [like] }, 'ForAllValues:StringNotLike': { [leading]: [notLike] } },
      });
    }
    const others = spec.writes.filter((kind) => kind !== 'run');
    if (others.length > 0) {
      handler.allow({
        sid: 'WriteOwnPartitions',
        actions: [...TABLE_WRITE_ACTIONS],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { [leading]: others.map((kind) => PARTITIONS[kind].like) } },
      });
    }
  }

  /**
   * Objects under the prefixes the function reads and writes. A reader also lists the bucket: without
   * s3:ListBucket, S3 answers GetObject of a missing key (a first scan, an expired previous run, a
   * manifest never written) with AccessDenied instead of NoSuchKey, which the store reads as "none".
   * Key names are run and account ids.
   */
  private allowObjects(handler: HandlerFunction, handlerId: StepFunctionId, spec: StepFunction, bucket: s3.IBucket): void {
    const objects = (prefixes: readonly ObjectPrefix[]) => prefixes.map((p) => bucket.arnForObjects(`${OBJECT_PREFIXES[p]}*`));
    const reads = objects(spec.objects.read);
    const writes = objects(spec.objects.write);
    if (reads.length > 0) {
      handler.allow({ sid: 'ReadResultObjects', actions: ['s3:GetObject'], resources: reads });
      handler.allow({ sid: 'TellMissingObjects', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] });
    }
    if (writes.length > 0) handler.allow({ sid: 'WriteResultObjects', actions: ['s3:PutObject'], resources: writes });
    const granted = [...new Set([...spec.objects.read, ...spec.objects.write])];
    if (granted.length === 0) return;
    const says = (verb: string, prefixes: readonly ObjectPrefix[]) => (prefixes.length > 0 ? `${verb} ${prefixes.map((p) => OBJECT_PREFIXES[p]).join(' and ')}` : undefined);
    const what = [says('reads', spec.objects.read), says('writes', spec.objects.write)].filter(Boolean).join(' and ');
    acknowledgeWildcardResources(
      handler.role,
      [...new Set([...reads, ...writes])],
      `${handlerId} ${what} objects of the results bucket (one object per run and account or per run), and no other prefix of it.`,
    );
  }

  private allowOrganizationsReads(handler: HandlerFunction, organizationId: string): void {
    handler.allow({ sid: 'OrganizationsReadsWithoutResourceScope', actions: [...ORGANIZATIONS_UNSCOPED_ACTIONS], resources: ['*'] });
    // Organizations ARNs carry the management account, which may not be this one: any account, this organization.
    const orgArn = (type: string, id: string) => `arn:${Aws.PARTITION}:organizations::*:${type}/${organizationId}/${id}`;
    const organizationArns = [orgArn('root', 'r-*'), orgArn('ou', 'ou-*'), orgArn('account', '*')];
    handler.allow({ sid: 'OrganizationsReadsOfThisOrganization', actions: [...ORGANIZATIONS_SCOPED_ACTIONS], resources: organizationArns });
    acknowledgeWildcardResources(
      handler.role,
      organizationArns,
      'ListAccounts reads the organization tree: Organizations ARNs embed the management account id and the member ids (root, OU, account), unknown at deploy time; the ARNs are pinned to this organization id.',
    );
  }

  /**
   * Scan and remediate: AssumeRole into one member role name (any account of the organization), and
   * the same KMS reads (plus `extraKeyActions`) in this account, which they scan with their own credentials.
   */
  private allowMemberAccess(
    handler: HandlerFunction,
    handlerId: StepFunctionId,
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
      extraKeyActions.some((action) => (REMEDIATE_ACTIONS as readonly string[]).includes(action))
        ? `${handlerId} grants ${extraKeyActions.join(', ')} (with ${KEY_READ_ACTIONS.join(', ')}) on every key of the orchestrator's own account, in every Region, which it remediates with its own credentials; other accounts it reaches only through ${roleName}.`
        : `${handlerId} reads ${keyActions.join(', ')} on every key of the orchestrator's own account, in every Region, which it scans with its own credentials; reads only, it changes nothing.`,
    );
  }

  private allowFinalizeOutputs(handler: HandlerFunction, driftTopicArn: string): void {
    // sns:Publish is added here rather than by topic.grantPublish, which would also grant KMS
    // Decrypt/GenerateDataKey on the topic key: the key policy grants those to this role, via SNS only.
    handler.allow({ sid: 'PublishDrift', actions: ['sns:Publish'], resources: [driftTopicArn] });
  }
}
