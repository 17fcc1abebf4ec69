// A run's findings as AWS Security Finding Format (ASFF) findings for Security Hub: one finding
// per key with a stable id (a re-import updates it), its compliance status, workflow and record
// state, and the keys gone since the previous run as archived findings. Pure: the export
// (functions/aws/security-hub.ts, used by `rotor securityhub export` and Finalize) sends them.
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { ErrorRecord, Finding, FindingStatus } from './schemas';
import { inertText } from './text';

/** BatchImportFindings takes at most this many findings a call. */
export const ASFF_BATCH_SIZE = 100;
export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** The check every finding reports on: one generator, so Security Hub groups them. */
export const ASFF_GENERATOR_ID = 'kms-rotor/kms-key-rotation';
const TITLE = 'KMS key rotation should be enabled';
/** ASFF's limit on Description. */
const MAX_DESCRIPTION = 1024;
const RECOMMENDATION = {
  Text: 'Turn on automatic rotation of the customer-managed KMS key (kms:EnableKeyRotation), or record an exception with an owner, a reason and an expiry.',
  Url: 'https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html',
};

export type AsffComplianceStatus = 'PASSED' | 'FAILED' | 'NOT_AVAILABLE';

/**
 * PASSED: rotation is on. FAILED: rotation is off and no exception covers the key. NOT_AVAILABLE:
 * the control does not judge the key (an asymmetric, imported or pending-deletion key, an excepted
 * key, or one that could not be read), as the reports leave those out of the compliance ratio.
 */
export const COMPLIANCE_OF: Readonly<Record<FindingStatus, AsffComplianceStatus>> = {
  COMPLIANT: 'PASSED',
  REMEDIATED: 'PASSED',
  NON_COMPLIANT: 'FAILED',
  REMEDIATION_FAILED: 'FAILED',
  EXEMPT: 'NOT_AVAILABLE',
  NOT_APPLICABLE: 'NOT_AVAILABLE',
};

/** Where the findings go and what they are checked against. */
export interface AsffContext {
  /** The account that calls BatchImportFindings: with the default product ARN, every finding's AwsAccountId. */
  awsAccountId: string;
  partition: string;
  /** The Region of the hub the findings are imported into. */
  region: string;
  /** The control ids the check answers to (`Compliance.RelatedRequirements`). */
  controls: readonly { framework: string; id: string }[];
}

/** The stable id of a key's finding: the same key gives the same id in every run. */
export function asffFindingId(keyArn: string): string {
  return `${ASFF_GENERATOR_ID}/${keyArn}`;
}

/** The product ARN of a custom integration's findings (the account's default product). */
export function asffProductArn(context: Pick<AsffContext, 'awsAccountId' | 'partition' | 'region'>): string {
  return `arn:${context.partition}:securityhub:${context.region}:${context.awsAccountId}:product/${context.awsAccountId}/default`;
}

function partitionOfArn(keyArn: string): string {
  return keyArn.split(':')[1] || 'aws';
}

const STATUS_WORDS: Readonly<Record<FindingStatus, string>> = {
  COMPLIANT: 'automatic rotation is on',
  REMEDIATED: 'automatic rotation was off and kms-rotor turned it on',
  NON_COMPLIANT: 'automatic rotation is off',
  REMEDIATION_FAILED: 'automatic rotation is off: kms-rotor could not turn it on',
  EXEMPT: 'automatic rotation is off under an exception',
  NOT_APPLICABLE: 'the rotation control does not apply to this key',
};

function description(parts: readonly (string | undefined)[]): string {
  const text = inertText(parts.filter(Boolean).join('. '));
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

interface KeyParts {
  keyArn: string;
  keyId: string;
  accountId: string;
  region: string;
  runId: string;
  status: string;
  compliance: AsffComplianceStatus;
  observedAt: string;
  updatedAt: string;
  description: string;
  rotation?: boolean;
  keyManager?: string;
  workflow?: 'NEW' | 'RESOLVED';
  recordState: 'ACTIVE' | 'ARCHIVED';
}

function asff(context: AsffContext, key: KeyParts): AwsSecurityFinding {
  const failed = key.compliance === 'FAILED';
  const severity = { Label: failed ? 'MEDIUM' : 'INFORMATIONAL', Original: key.status } as const;
  const types = ['Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark'];
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffFindingId(key.keyArn),
    ProductArn: asffProductArn(context),
    ProductName: 'kms-rotor',
    CompanyName: 'kms-rotor',
    GeneratorId: ASFF_GENERATOR_ID,
    AwsAccountId: context.awsAccountId,
    Types: types,
    CreatedAt: key.observedAt,
    UpdatedAt: key.updatedAt,
    LastObservedAt: key.observedAt,
    Severity: { Label: severity.Label },
    FindingProviderFields: { Severity: severity, Types: types },
    Title: TITLE,
    Description: key.description,
    Remediation: { Recommendation: RECOMMENDATION },
    ProductFields: {
      'kms-rotor/RunId': key.runId,
      'kms-rotor/Status': key.status,
      'kms-rotor/AccountId': key.accountId,
    },
    Resources: [
      {
        Type: 'AwsKmsKey',
        Id: key.keyArn,
        Partition: partitionOfArn(key.keyArn) as 'aws',
        Region: key.region,
        Details: {
          AwsKmsKey: {
            KeyId: key.keyId,
            ...(key.keyManager ? { KeyManager: key.keyManager } : {}),
            ...(key.rotation === undefined ? {} : { KeyRotationStatus: key.rotation }),
          },
        },
      },
    ],
    Compliance: { Status: key.compliance, RelatedRequirements: context.controls.map((c) => `${c.framework} ${c.id}`) },
    ...(key.workflow ? { Workflow: { Status: key.workflow } } : {}),
    RecordState: key.recordState,
  };
}

/**
 * A key's finding of this run. A REMEDIATED key's workflow is RESOLVED (this run fixed it); a
 * FAILED key's is NEW, so a key fixed before and broken again is open again.
 */
export function asffOfFinding(finding: Finding, context: AsffContext): AwsSecurityFinding {
  const compliance = COMPLIANCE_OF[finding.status];
  const rotation = finding.rotationEnabledAfter ?? finding.rotationEnabledBefore ?? undefined;
  const aliases = finding.aliases?.length ? `aliases ${finding.aliases.join(', ')}` : undefined;
  const exception = finding.exception ? `exception owned by ${finding.exception.owner} until ${finding.exception.expiresAt}: ${finding.exception.reason}` : undefined;
  return asff(context, {
    keyArn: finding.keyArn,
    keyId: finding.keyId,
    accountId: finding.accountId,
    region: finding.region,
    runId: finding.runId,
    status: finding.status,
    compliance,
    observedAt: finding.scannedAt,
    updatedAt: finding.remediatedAt ?? finding.scannedAt,
    description: description([`KMS key ${finding.keyId} in account ${finding.accountId}, Region ${finding.region}: ${STATUS_WORDS[finding.status]}`, finding.reason, aliases, exception]),
    rotation,
    keyManager: finding.keyManager,
    workflow: finding.status === 'REMEDIATED' ? 'RESOLVED' : compliance === 'FAILED' ? 'NEW' : undefined,
    recordState: 'ACTIVE',
  });
}

/** A key the scan listed but could not read: the control could not be checked. */
export function asffOfUnreadableKey(error: ErrorRecord & { keyArn: string }, context: AsffContext): AwsSecurityFinding {
  return asff(context, {
    keyArn: error.keyArn,
    keyId: error.keyId ?? error.keyArn.split('/').pop() ?? '',
    accountId: error.accountId,
    region: error.region ?? '',
    runId: error.runId,
    status: 'UNREADABLE',
    compliance: 'NOT_AVAILABLE',
    observedAt: error.at,
    updatedAt: error.at,
    description: description([`KMS key ${error.keyArn} could not be read in ${error.phase}`, error.error]),
    recordState: 'ACTIVE',
  });
}

/** A key of the previous run that this run no longer lists (deleted): its finding, archived. */
export function asffOfGoneKey(previous: Finding, context: AsffContext, goneAt: string): AwsSecurityFinding {
  return asff(context, {
    keyArn: previous.keyArn,
    keyId: previous.keyId,
    accountId: previous.accountId,
    region: previous.region,
    runId: previous.runId,
    status: previous.status,
    compliance: COMPLIANCE_OF[previous.status],
    observedAt: previous.scannedAt,
    updatedAt: goneAt,
    description: description([`KMS key ${previous.keyId} in account ${previous.accountId}, Region ${previous.region} is no longer listed: deleted since run ${previous.runId}`]),
    keyManager: previous.keyManager,
    workflow: 'RESOLVED',
    recordState: 'ARCHIVED',
  });
}

/**
 * The keys of one account that are gone: listed by the previous run, not by this one, in a Region
 * this run scanned without an error there. A key in a Region not scanned now is not gone (unknown).
 */
export function goneKeys(
  previous: readonly Finding[],
  current: { findings: readonly Pick<Finding, 'keyArn'>[]; errors: readonly Pick<ErrorRecord, 'region' | 'keyArn'>[]; scannedRegions: readonly string[] },
): Finding[] {
  const listed = new Set(current.findings.map((f) => f.keyArn));
  for (const e of current.errors) if (e.keyArn) listed.add(e.keyArn);
  const scanned = new Set(current.scannedRegions);
  if (current.errors.some((e) => !e.region && !e.keyArn)) return [];
  for (const e of current.errors) if (e.region && !e.keyArn) scanned.delete(e.region);
  return previous.filter((f) => !listed.has(f.keyArn) && scanned.has(f.region));
}

/** An account's ASFF findings of a run: its keys, its unreadable keys, and its keys gone since the previous run. */
export function asffOfAccount(
  current: { findings: readonly Finding[]; errors: readonly ErrorRecord[]; scannedRegions: readonly string[] },
  previous: readonly Finding[],
  context: AsffContext,
  goneAt: string,
): AwsSecurityFinding[] {
  const listed = new Set(current.findings.map((f) => f.keyArn));
  const unreadable = current.errors.filter((e): e is ErrorRecord & { keyArn: string } => !!e.keyArn && !listed.has(e.keyArn));
  return [
    ...current.findings.map((f) => asffOfFinding(f, context)),
    ...unreadable.map((e) => asffOfUnreadableKey(e, context)),
    ...goneKeys(previous, current).map((f) => asffOfGoneKey(f, context, goneAt)),
  ];
}
