// The deployment options of the CDK app: reads the `-c key=value` context (or cdk.json), validates
// every value with one zod schema per key and returns plain typed settings. Pure: no CDK constructs,
// so it is unit-tested alone.
import * as z from 'zod';
import {
  ACCOUNT_ID,
  DEFAULT_REMEDIATE_ROLE_NAME,
  DEFAULT_SCAN_ROLE_NAME,
  EXTERNAL_ID,
  MAX_ROTATION_DAYS,
  MIN_ROTATION_DAYS,
  OU_ID,
  REGION_NAME,
  ROLE_NAME,
} from '../functions/core/schemas';
import { DEFAULT_RETENTION_DAYS } from '../functions/store/results-store';
import { DEFAULT_ENFORCEMENT, ENFORCEMENT_MODES, type EnforcementMode, type RotationRangeDays } from '../functions/core/key-event';
import { keyRotationScp, SCP_MAX_CHARACTERS } from './guardrail-policies';

export const DEFAULT_SCHEDULE = 'rate(1 day)';
/** With continuous enforcement remediating, the full scan is a backstop: weekly unless `schedule` says otherwise. */
export const ENFORCED_SCHEDULE = 'rate(7 days)';
export const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/**
 * An IAM role ARN, path allowed (the break-glass role is often under a path), whose account may be
 * `*`: the role of that name in every account.
 */
export const IAM_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::(\d{12}|\*):role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** ExcludedAccounts of an organization conformance pack takes at most this many account ids. */
export const MAX_EXCLUDED_ACCOUNTS = 1000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const RATE = /^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$/;
// EventBridge Scheduler cron has six fields: minutes hours day-of-month month day-of-week year.
const CRON = /^cron\(\S+( \S+){5}\)$/;
const CALL_AS = ['SELF', 'DELEGATED_ADMIN'] as const;
/**
 * Days per-run and per-key results are kept (the table's TTL and the scans' S3 expiry). At least a
 * week, so a daily scan always finds the run before it; at most ten years.
 */
export const MIN_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 3650;
export { DEFAULT_RETENTION_DAYS };

export interface ScheduleSettings {
  /** The EventBridge Scheduler expression, `rate(...)` or `cron(...)`. */
  expression: string;
  /** A disabled schedule still exists (turn it on in the console); `schedule=off` creates none. */
  enabled: boolean;
}

/** The validated deployment options. `undefined` means "take it from a CloudFormation parameter". */
export interface RotorContext {
  memberTargets?: string[];
  organizationId?: string;
  /** undefined: the required `ExternalId` parameter (there is no "none"). */
  externalId?: string;
  scanRoleName: string;
  remediateRoleName: string;
  callAs: (typeof CALL_AS)[number];
  /** undefined when `schedule=off`. */
  schedule?: ScheduleSettings;
  notificationEmail?: string;
  /** Adds the KmsRotorGuardrails stack (SCP and conformance pack). */
  guardrails: boolean;
  guardrailTargets?: string[];
  /** The break-glass role ARNs as given (the SCP turns them into patterns: guardrail-policies.ts). */
  breakGlassRoleArns?: string[];
  allowedRotationRange?: RotationRangeDays;
  /** Accounts the organization conformance pack skips (ExcludedAccounts). */
  conformancePackExcludedAccounts?: string[];
  /** More Regions that get the conformance pack, each in a stack of its own (no SCP there). */
  conformancePackRegions?: string[];
  /** Days per-run and per-key results are kept: DynamoDB TTL and the S3 expiry of account scans. */
  retentionDays: number;
  /** Continuous enforcement: remediate, detect (record and notify only) or off (no event rules, no function). */
  enforcement: EnforcementMode;
  /** The Regions whose KMS events reach the orchestrator (the member StackSet's rule in each); default the stack's own. */
  enforcementRegions?: string[];
  /** One SNS message per key an event enforced (or, detecting, found without rotation), on the stack's topic. */
  enforcementNotifications: boolean;
  /** Finalize imports every run's findings into the deployment account's Security Hub. */
  securityHubExport: boolean;
  /** Days each run's evidence bundle is held (S3 Object Lock, governance mode); absent: no evidence bucket. */
  evidenceRetentionDays?: number;
}

// The forms a value comes in: `-c key=value` gives strings, cdk.json JSON values. Not given is
// undefined, null or a blank string; each schema below then gives its default (or undefined).
const notGiven = (value: unknown): unknown => (value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(notGiven, schema.optional());
const orDefault = <T extends z.ZodType>(schema: T, fallback: z.output<T>) =>
  optional(schema).transform((value) => (value ?? fallback) as z.output<T>);

const text = z.string({ error: 'must be a string' }).trim();
const matching = (pattern: RegExp, message: string) => text.regex(pattern, message);
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => text.pipe(z.enum(values, { error: `must be one of ${values.join(', ')}` }));

/** true or false: a JSON boolean or its word. */
const flag = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean({ error: 'must be true or false' }));

/**
 * A list: a JSON array of strings or a comma-separated string; items trimmed, blanks and repeats
 * dropped, and an empty list not given. One issue names every item that `accepts` refuses.
 */
const listOf = (accepts: (item: string) => boolean, isNot: string) =>
  z
    .union([z.string().transform((value) => value.split(',')), z.array(z.string())], { error: 'must be a comma-separated list' })
    .transform((items) => [...new Set(items.map((item) => item.trim()).filter(Boolean))])
    .superRefine((items, ctx) => {
      const bad = items.filter((item) => !accepts(item));
      if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `${bad.join(', ')} ${isNot}`, input: items, continue: false });
    });
const noneAsUndefined = (items: string[] | undefined) => (items?.length ? items : undefined);
const optionalList = <T extends z.ZodType<string[]>>(schema: T) => optional(schema).transform(noneAsUndefined);

const orgTargets = optionalList(
  listOf((id) => ROOT_ID.test(id) || OU_ID.test(id), 'is not a root id (r-xxxx) or an organizational unit id (ou-xxxx-xxxxxxxx)'),
);
const regionNames = optionalList(listOf((name) => REGION_NAME.test(name), 'is not a Region name such as eu-west-1'));
const roleName = (fallback: string) => orDefault(matching(ROLE_NAME, 'must be an IAM role name'), fallback);

/** A whole number of days within min-max: a JSON number (cdk.json) or its decimal digits (`-c`). */
const days = (min: number, max: number) => {
  const bounds = `must be a whole number of days within ${min}-${max}`;
  const digits = (value: unknown) => (typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value);
  const notWhole = `${bounds}, such as ${DEFAULT_RETENTION_DAYS}`;
  return z.preprocess(digits, z.number({ error: notWhole }).int({ error: notWhole, abort: true }).min(min, bounds).max(max, bounds));
};

const ROTATION_BOUNDS = `both within ${MIN_ROTATION_DAYS}-${MAX_ROTATION_DAYS}`;
const inRotationBounds = (n: number) => n >= MIN_ROTATION_DAYS && n <= MAX_ROTATION_DAYS;
/** MIN-MAX days, both periods KMS accepts. */
const rotationRange = text
  .regex(/^\d+\s*-\s*\d+$/, `must be MIN-MAX days, ${ROTATION_BOUNDS}, such as 90-365`)
  .transform((value): RotationRangeDays => {
    const [min, max] = value.split('-').map(Number);
    return { min, max };
  })
  .refine((range) => inRotationBounds(range.min) && inRotationBounds(range.max), {
    error: `must have ${ROTATION_BOUNDS} (KMS accepts RotationPeriodInDays ${MIN_ROTATION_DAYS}-${MAX_ROTATION_DAYS})`,
    abort: true,
  })
  .refine((range) => range.min <= range.max, 'must have MIN no greater than MAX');

/** Each context key the app reads, and what it accepts; any other key is CDK's own business. */
const CONTEXT_FIELDS = {
  memberTargets: orgTargets,
  organizationId: optional(matching(ORGANIZATION_ID, 'must be an organization id such as o-a1b2c3d4e5')),
  externalId: optional(matching(EXTERNAL_ID, 'must be 2-1224 characters of [A-Za-z0-9+=,.@:/_-]')),
  scanRoleName: roleName(DEFAULT_SCAN_ROLE_NAME),
  remediateRoleName: roleName(DEFAULT_REMEDIATE_ROLE_NAME),
  callAs: orDefault(oneOf(CALL_AS), 'SELF'),
  /** `off`, or an expression; absent, its default follows `enforcement` (below). */
  schedule: optional(
    text.refine((value) => value === 'off' || RATE.test(value) || CRON.test(value), 'must be an EventBridge Scheduler rate(...) or cron(...) expression, or off'),
  ),
  scheduleEnabled: orDefault(flag, true),
  notificationEmail: optional(matching(EMAIL, 'must be an email address')),
  guardrails: orDefault(flag, false),
  guardrailTargets: orgTargets,
  breakGlassRoleArn: optionalList(
    listOf(
      (arn) => IAM_ROLE_ARN.test(arn),
      'is not an IAM role ARN: give arn:aws:iam::*:role/BreakGlass (that role name in every account), one role ARN, or a comma-separated list of them',
    ),
  ),
  allowedRotationRange: optional(rotationRange),
  conformancePackExcludedAccounts: optionalList(
    listOf((id) => ACCOUNT_ID.test(id), 'is not a 12-digit account id').refine((ids) => ids.length <= MAX_EXCLUDED_ACCOUNTS, {
      error: (issue) => `names ${(issue.input as string[]).length} accounts; a conformance pack excludes at most ${MAX_EXCLUDED_ACCOUNTS}`,
    }),
  ),
  conformancePackRegions: regionNames,
  retentionDays: orDefault(days(MIN_RETENTION_DAYS, MAX_RETENTION_DAYS), DEFAULT_RETENTION_DAYS),
  enforcement: orDefault(oneOf(ENFORCEMENT_MODES), DEFAULT_ENFORCEMENT),
  enforcementRegions: regionNames,
  enforcementNotifications: orDefault(flag, false),
  securityHubExport: orDefault(flag, false),
  evidenceRetentionDays: optional(days(1, MAX_RETENTION_DAYS)),
};

export type ContextKey = keyof typeof CONTEXT_FIELDS;
/** The context keys the app reads. */
export const CONTEXT_KEYS = Object.keys(CONTEXT_FIELDS) as ContextKey[];
type ContextFields = z.output<z.ZodObject<typeof CONTEXT_FIELDS>>;

/** A rule over several keys runs once each key it reads is valid, so it never speaks of a bad value. */
const whenValid =
  (...keys: ContextKey[]) =>
  (payload: z.core.ParsePayload) =>
    !payload.issues.some((issue) => keys.includes(issue.path?.[0] as ContextKey));

const scpSize = (fields: ContextFields) =>
  JSON.stringify(keyRotationScp({ breakGlassRoleArns: fields.breakGlassRoleArn, allowedRotationRange: fields.allowedRotationRange })).length;

const RotorContextSchema = z
  .object(CONTEXT_FIELDS)
  .refine((fields) => fields.scanRoleName !== fields.remediateRoleName, {
    path: ['remediateRoleName'],
    when: whenValid('scanRoleName', 'remediateRoleName'),
    error: (issue) =>
      `must differ from scanRoleName (${(issue.input as ContextFields).scanRoleName}): a scan must never hold remediation rights`,
  })
  .refine((fields) => !fields.breakGlassRoleArn || scpSize(fields) <= SCP_MAX_CHARACTERS, {
    path: ['breakGlassRoleArn'],
    when: whenValid('breakGlassRoleArn', 'allowedRotationRange'),
    error: (issue) =>
      `makes the SCP ${scpSize(issue.input as ContextFields)} characters, over the ${SCP_MAX_CHARACTERS} an SCP may have: list fewer roles, or one with account *`,
  })
  .transform(({ schedule, scheduleEnabled, breakGlassRoleArn, ...fields }): RotorContext => {
    const expression = schedule ?? (fields.enforcement === 'remediate' ? ENFORCED_SCHEDULE : DEFAULT_SCHEDULE);
    return {
      ...fields,
      schedule: expression === 'off' ? undefined : { expression, enabled: scheduleEnabled },
      breakGlassRoleArns: breakGlassRoleArn,
    };
  });

export interface ContextIssue {
  key: ContextKey;
  value: unknown;
  message: string;
}

/** Every bad context value at once, each named with the value given, so one synth shows them all. */
export class ContextError extends Error {
  override readonly name = 'ContextError';
  constructor(readonly issues: ContextIssue[]) {
    super(
      'Invalid CDK context:\n' +
        issues.map((i) => `  -c ${i.key}=${JSON.stringify(i.value)}: ${i.message}`).join('\n'),
    );
  }
}

type RawContext = Partial<Record<ContextKey, unknown>>;

/** Validates the raw context values (strings from `-c`, or JSON values from cdk.json). */
export function parseRotorContext(raw: RawContext): RotorContext {
  const parsed = RotorContextSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ContextError(
    parsed.error.issues.map((issue) => {
      const key = issue.path[0] as ContextKey;
      return { key, value: raw[key], message: issue.message };
    }),
  );
}

/** Reads the app's context keys (CDK keeps `-c` values as strings). */
export function readContext(tryGetContext: (key: string) => unknown): RawContext {
  return Object.fromEntries(CONTEXT_KEYS.map((key) => [key, tryGetContext(key)]));
}
