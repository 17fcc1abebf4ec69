// The contracts, defined once: execution input, findings, error records, runs, exceptions.
// Zod gives the runtime validation and the TypeScript types together; the handlers, the CLI,
// the store and the tests all import from here.
import * as z from 'zod';
import { isKnownRegion } from './regions';

export const ACCOUNT_ID = /^\d{12}$/;
export const REGION_NAME = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;
export const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/**
 * A KMS key ARN is under 100 characters (partition, Region, account id, a 36-character key id).
 * Anything longer is not a key, and past about 1 KB it would fail in DynamoDB (key size limits)
 * after the command had started.
 */
export const MAX_KEY_ARN_LENGTH = 256;
export const KEY_ARN = new RegExp(`^(?=.{1,${MAX_KEY_ARN_LENGTH}}$)arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]+$`);
/** Organizations tag keys are 1-128 characters, values 0-256. */
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

export const MIN_ROTATION_DAYS = 90;
export const MAX_ROTATION_DAYS = 2560;
export const DEFAULT_ROTATION_DAYS = 365;
export const DEFAULT_SCAN_ROLE_NAME = 'KmsRotorScanRole';
export const DEFAULT_REMEDIATE_ROLE_NAME = 'KmsRotorRemediateRole';

export const FINDING_STATUSES = [
  'COMPLIANT',
  'NON_COMPLIANT',
  'REMEDIATED',
  'REMEDIATION_FAILED',
  'EXEMPT',
  'NOT_APPLICABLE',
] as const;
export const FindingStatus = z.enum(FINDING_STATUSES);
export type FindingStatus = z.infer<typeof FindingStatus>;
/** The statuses that need someone: rotation off and not fixed (reports list them first; drift counts keys entering them). */
export const ATTENTION_STATUSES: readonly FindingStatus[] = ['NON_COMPLIANT', 'REMEDIATION_FAILED'];

export const RunMode = z.enum(['scan', 'remediate']);
export type RunMode = z.infer<typeof RunMode>;

export const WaveOrder = z.enum(['priority', 'canary-first']);
export type WaveOrder = z.infer<typeof WaveOrder>;

const accountId = z.string().regex(ACCOUNT_ID, 'must be a 12-digit AWS account id');
/** A Region of a partition the SDK knows (core/regions.ts, opt-in Regions included): a typo is bad input, not an empty run. */
const regionName = z
  .string()
  .regex(REGION_NAME, { message: 'must be a Region name such as us-east-1', abort: true })
  .refine(isKnownRegion, { error: (issue) => `${JSON.stringify(issue.input)} is not a Region of any AWS partition (for example us-east-1, eu-south-1)` });
const ouId = z.string().regex(OU_ID, 'must be an organizational unit id such as ou-ab12-cdef3456');
/**
 * Names every JavaScript object already has (`constructor`, `toString`, `__proto__`...). As a tag
 * key in a plain object they break what handles the map: zod drops `__proto__` without a word, and
 * the DynamoDB marshaller takes an object with its own `constructor` for a class instance and
 * refuses to store the run.
 */
const OBJECT_PROPERTY_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Priority tags: tag key to the values that make an account come first. */
const priorityTags = z
  .custom<Record<string, string[]>>()
  .superRefine((tags, ctx) => {
    if (tags === null || typeof tags !== 'object') return;
    for (const key of Object.keys(tags).filter((k) => OBJECT_PROPERTY_NAMES.has(k))) {
      ctx.addIssue({ code: 'custom', path: [key], message: `cannot be "${key}": every JavaScript object has a property of that name, so it cannot be matched as a tag` });
    }
  })
  .pipe(
    z.record(
      z.string().min(1, 'must be a tag key of 1-128 characters').max(MAX_TAG_KEY_LENGTH, 'must be a tag key of 1-128 characters'),
      z.array(z.string().max(MAX_TAG_VALUE_LENGTH, `must be a tag value of at most ${MAX_TAG_VALUE_LENGTH} characters`)),
    ),
  );

export const ExecutionInput = z
  .object({
    mode: RunMode.default('scan'),
    accounts: z.array(accountId).min(1, 'must name at least one account').optional(),
    excludeAccounts: z.array(accountId).default([]),
    organizationalUnits: z.array(ouId).min(1, 'must name at least one OU').optional(),
    regions: z.array(regionName).min(1).optional(),
    /** The member role a scan assumes (read-only). */
    roleName: z.string().regex(ROLE_NAME, 'must be an IAM role name').default(DEFAULT_SCAN_ROLE_NAME),
    /** The member role remediation assumes (the scan role's rights plus kms:EnableKeyRotation). */
    remediateRoleName: z.string().regex(ROLE_NAME, 'must be an IAM role name').default(DEFAULT_REMEDIATE_ROLE_NAME),
    /**
     * Not input: the ExternalId is the deployment's configuration, which only the functions that
     * assume member roles read (so it is in no state's input, log or record). Named here only so
     * that an input still carrying it is refused with where it went, not as an unknown field.
     */
    externalId: z
      .never({ error: "is not part of the execution input: the ExternalId is the deployment's configuration (its secret, set from the stack's ExternalId; --external-id with --local)" })
      .optional(),
    rotationPeriodInDays: z
      .number()
      .int()
      .min(MIN_ROTATION_DAYS, `must be between ${MIN_ROTATION_DAYS} and ${MAX_ROTATION_DAYS}`)
      .max(MAX_ROTATION_DAYS, `must be between ${MIN_ROTATION_DAYS} and ${MAX_ROTATION_DAYS}`)
      .optional(),
    waves: z
      .object({
        size: z.number().int().min(1, 'must be at least 1').default(50),
        order: WaveOrder.default('priority'),
        maxFailureRate: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0.05),
      })
      .strict()
      .prefault({}),
    priority: z
      .object({
        accountTags: priorityTags.default({}),
        organizationalUnits: z.array(ouId).default([]),
      })
      .strict()
      .prefault({}),
    /** Read each in-scope key's tags (kms:ListResourceTags, one call more per key) into its finding. */
    readKeyTags: z.boolean().default(false),
    /** Set by the caller (CLI or schedule); generated by ValidateInput when absent. */
    runId: z.string().regex(/^[\w.-]{1,80}$/, 'must be 1-80 characters of [A-Za-z0-9_.-]').optional(),
    /** Who started the run: "cli", "schedule", "demo"... */
    trigger: z.string().max(40).optional(),
  })
  .strict();
/** The input as a caller writes it (defaults optional). */
export type ExecutionInputRaw = z.input<typeof ExecutionInput>;
/** The input after validation, defaults applied. */
export type ExecutionInput = z.infer<typeof ExecutionInput>;

/** A scan scope: one account, with what the scan needs to reach it. */
export const AccountTarget = z.object({
  accountId,
  name: z.string().default(''),
  /** The OU path from the root down to the account's parent. */
  parentIds: z.array(z.string()).default([]),
  tags: z.record(z.string(), z.string()).default({}),
  priority: z.boolean().default(false),
});
export type AccountTarget = z.infer<typeof AccountTarget>;

/** An account as Organizations lists it: its chain of parents (root and OUs) and, once read, its tags. */
export const OrgAccount = z.object({
  accountId: z.string(),
  name: z.string(),
  state: z.string(),
  parentIds: z.array(z.string()),
  tags: z.record(z.string(), z.string()),
});
export type OrgAccount = z.infer<typeof OrgAccount>;

/** One page of the Organization still to read: the account list, the roots, or a parent's accounts or OUs. */
export const ListingPage = z.object({
  list: z.enum(['accounts', 'roots', 'accountsOf', 'ousOf']),
  parentId: z.string().optional(),
  /** The parents above `parentId`, root first. */
  chain: z.array(z.string()),
  nextToken: z.string().optional(),
});
export type ListingPage = z.infer<typeof ListingPage>;

/**
 * How far ListAccounts has read the Organization: the pages left, the accounts read, and once
 * every page is read, the accounts whose tags are still to read. Saved when its time runs short.
 */
export const AccountListing = z.object({
  pages: z.array(ListingPage),
  accounts: z.array(OrgAccount),
  tagsToRead: z.array(z.string()).optional(),
});
export type AccountListing = z.infer<typeof AccountListing>;

/** What a ListAccounts that stopped short returns, and the state machine gives its next invocation. */
export const ListingContinuation = z.object({
  checkpoint: z.object({ bucket: z.string(), key: z.string() }),
  accountsRead: z.number().int().nonnegative(),
  tagsLeft: z.number().int().nonnegative(),
});
export type ListingContinuation = z.infer<typeof ListingContinuation>;

export const ExceptionRecord = z.object({
  /** A key ARN, or an account id for every key of that account. */
  target: z
    .string()
    .max(MAX_KEY_ARN_LENGTH, { message: `is longer than a KMS key ARN can be (${MAX_KEY_ARN_LENGTH} characters)`, abort: true })
    .refine((target) => KEY_ARN.test(target) || ACCOUNT_ID.test(target), 'must be a KMS key ARN or a 12-digit account id'),
  owner: z.string().min(1, 'is required'),
  reason: z.string().min(1, 'is required'),
  /** YYYY-MM-DD; the exception holds through the end of that day (UTC). */
  expiresAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
  createdAt: z.string(),
});
export type ExceptionRecord = z.infer<typeof ExceptionRecord>;

export const FindingException = ExceptionRecord.pick({ owner: true, reason: true, expiresAt: true });

/** The key facts a classification needs: DescribeKey's KeyMetadata, trimmed. */
export interface KeyFacts {
  keyId: string;
  keyArn: string;
  keyManager?: string;
  keySpec?: string;
  keyUsage?: string;
  origin?: string;
  keyState?: string;
  customKeyStoreId?: string;
  multiRegion?: boolean;
  multiRegionKeyType?: string;
  primaryKeyArn?: string;
  /** Known from an `alias/aws/...` alias without calling DescribeKey. */
  awsManagedByAlias?: boolean;
}

export const Finding = z.object({
  runId: z.string(),
  accountId,
  region: z.string(),
  keyId: z.string(),
  keyArn: z.string(),
  status: FindingStatus,
  reason: z.string().optional(),
  rotationEnabledBefore: z.boolean().nullable(),
  rotationEnabledAfter: z.boolean().optional(),
  rotationPeriodInDays: z.number().int().optional(),
  /** GetKeyRotationStatus: when KMS rotates the key next, and when an on-demand rotation in progress started (ISO times). */
  nextRotationDate: z.string().optional(),
  onDemandRotationStartDate: z.string().optional(),
  wave: z.number().int().optional(),
  exception: FindingException.optional(),
  /** DescribeKey facts worth keeping for reports (spec, manager, origin...). */
  keySpec: z.string().optional(),
  keyManager: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  /** The key's tags, when the run read them (readKeyTags). */
  tags: z.record(z.string(), z.string()).optional(),
  scannedAt: z.string(),
  /** Set just before EnableKeyRotation is called: a retry that finds the key rotating knows this run turned it on. */
  enableRequestedAt: z.string().optional(),
  remediatedAt: z.string().optional(),
  /** When the key's latest history item was written (see core/key-history.ts). */
  historyAt: z.string().optional(),
  /** Set on a finding that an event recorded (core/key-event.ts): the CloudTrail event, its call and who made it. */
  source: z.literal('event').optional(),
  eventId: z.string().optional(),
  eventName: z.string().optional(),
  principal: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

export const ErrorRecord = z.object({
  runId: z.string(),
  accountId,
  region: z.string().optional(),
  /** Set when one key could not be read (the rest of its Region was). */
  keyId: z.string().optional(),
  keyArn: z.string().optional(),
  /** The wave, for a remediation error. */
  wave: z.number().int().optional(),
  /** The step that failed: scan, remediate, list-accounts... */
  phase: z.string(),
  error: z.string(),
  at: z.string(),
});
export type ErrorRecord = z.infer<typeof ErrorRecord>;

/** A key history item's kind (core/key-history.ts): what a scan or remediation saw change. */
const KeyChangeKind = z.enum(['new', 'changed', 'gone', 'unreadable', 'checkpoint']);

/** One item of a key's history: written only when the key's state changed (or as a checkpoint). */
export const KeyChange = z.object({
  keyArn: z.string(),
  runId: z.string(),
  accountId,
  region: z.string(),
  keyId: z.string(),
  kind: KeyChangeKind,
  /** When the change was seen (the scan or remediation time). */
  at: z.string(),
  /** The key's finding from then on; absent when the key is gone or unreadable. */
  finding: Finding.optional(),
});
export type KeyChange = z.infer<typeof KeyChange>;

/**
 * INTERRUPTED: a local run stopped by a signal, or one whose process is gone (killed, the machine
 * went down) while its record still said RUNNING. It is not a completed run: drift never compares
 * with it, and the next run of its scope reconciles the keys it had asked KMS to enable.
 */
export const RunStatus = z.enum(['RUNNING', 'SUCCEEDED', 'HALTED', 'FAILED', 'INTERRUPTED']);
export type RunStatus = z.infer<typeof RunStatus>;

export const WaveResult = z.object({
  wave: z.number().int(),
  keys: z.number().int(),
  remediated: z.number().int(),
  failed: z.number().int(),
  failureRate: z.number(),
  halted: z.boolean(),
});
export type WaveResult = z.infer<typeof WaveResult>;

/** An account's keys in one wave: ranks `start` to `start + count - 1` of its keys in `byKeyScope` order (core/waves.ts). */
export const WaveSlice = z.object({
  accountId,
  start: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
});
export type WaveSlice = z.infer<typeof WaveSlice>;

/** A stored wave of the plan: the accounts it fans out over, how many keys it holds, and whose keys. */
export const WaveRecord = z.object({
  runId: z.string(),
  wave: z.number().int().min(1),
  accounts: z.array(accountId),
  keyCount: z.number().int().nonnegative(),
  slices: z.array(WaveSlice),
});
export type WaveRecord = z.infer<typeof WaveRecord>;

export const RunRecord = z.object({
  runId: z.string(),
  /** The execution that owns the run: a retried ValidateInput finds its own run, a reused id is refused. */
  executionId: z.string().optional(),
  mode: RunMode,
  status: RunStatus,
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  input: z.record(z.string(), z.unknown()),
  accountCount: z.number().int().default(0),
  waveCount: z.number().int().default(0),
  waves: z.array(WaveResult).default([]),
  summary: z.partialRecord(FindingStatus, z.number().int()).default({}),
  errorCount: z.number().int().default(0),
  haltReason: z.string().optional(),
  /** Why the plan differs from what was asked (e.g. a wave size raised to fit one execution). */
  planNote: z.string().optional(),
  /** The scope compared by drift detection: runs of the same scope are comparable. */
  scope: z.string().default('org'),
  /** The newest completed run of the same scope when this one started: what its drift compares with. */
  previousRunId: z.string().optional(),
  /** A local run: the process that runs it (its pid on `host`) and when it last said it was alive. */
  pid: z.number().int().optional(),
  host: z.string().optional(),
  heartbeatAt: z.string().optional(),
  /** An interrupted run: the later run of its scope that reconciled its keys, and how many it recorded REMEDIATED. */
  reconciledBy: z.string().optional(),
  reconciledKeys: z.number().int().optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;

/** A validation failure named by field, for exit code 2 and the state machine's ValidateInput. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(readonly issues: { field: string; message: string }[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
  }
}

/** Parse with a schema; on failure throw an InputError that names each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // An empty key is shown as "" so that every issue names something the caller can find.
  const segment = (key: PropertyKey) => (key === '' ? '""' : String(key));
  throw new InputError(
    result.error.issues.flatMap((issue) => {
      const field = (...keys: PropertyKey[]) => [prefix, ...[...issue.path, ...keys].map(segment)].filter(Boolean).join('.') || '(input)';
      // One issue per unknown key, each named on its own.
      if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: field(key), message: 'is not a known field' }));
      return [{ field: field(), message: issue.message }];
    }),
  );
}
