// The deployment options of the CDK app: reads the `-c key=value` context (or cdk.json), validates
// every value and returns plain typed settings. Pure: no CDK constructs, so it is unit-tested alone.
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
import { DEFAULT_ENFORCEMENT, ENFORCEMENT_MODES, type EnforcementMode } from '../functions/core/key-event';
import { keyRotationScp, SCP_MAX_CHARACTERS } from './guardrail-policies';
import type { RotationRangeDays } from '../functions/core/key-event';

/** The context keys the app reads; any other key is CDK's own business. */
export const CONTEXT_KEYS = [
  'memberTargets',
  'organizationId',
  'externalId',
  'scanRoleName',
  'remediateRoleName',
  'callAs',
  'schedule',
  'scheduleEnabled',
  'notificationEmail',
  'guardrails',
  'guardrailTargets',
  'breakGlassRoleArn',
  'allowedRotationRange',
  'conformancePackExcludedAccounts',
  'conformancePackRegions',
  'retentionDays',
  'enforcement',
  'enforcementRegions',
  'enforcementNotifications',
  'securityHubExport',
  'evidenceRetentionDays',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

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
  const issues: ContextIssue[] = [];
  const fail = (key: ContextKey, message: string): undefined => {
    issues.push({ key, value: raw[key], message });
    return undefined;
  };

  const text = (key: ContextKey): string | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') return fail(key, 'must be a string');
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  };

  const flag = (key: ContextKey, fallback: boolean): boolean => {
    const value = raw[key];
    if (value === undefined || value === null || value === '') return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    fail(key, 'must be true or false');
    return fallback;
  };

  const list = (key: ContextKey): string[] | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
    if (items === null || items.some((item) => typeof item !== 'string')) {
      return fail(key, 'must be a comma-separated list');
    }
    const ids = [...new Set((items as string[]).map((item) => item.trim()).filter(Boolean))];
    return ids.length === 0 ? undefined : ids;
  };

  const orgTargets = (key: ContextKey): string[] | undefined => {
    const ids = list(key);
    if (!ids) return undefined;
    const bad = ids.filter((id) => !ROOT_ID.test(id) && !OU_ID.test(id));
    if (bad.length > 0) {
      return fail(key, `${bad.join(', ')} is not a root id (r-xxxx) or an organizational unit id (ou-xxxx-xxxxxxxx)`);
    }
    return ids;
  };

  /** A list whose every item matches; the message follows the bad items, named. */
  const listMatching = (key: ContextKey, pattern: RegExp, message: string): string[] | undefined => {
    const items = list(key);
    if (!items) return undefined;
    const bad = items.filter((item) => !pattern.test(item));
    if (bad.length > 0) return fail(key, `${bad.join(', ')} ${message}`);
    return items;
  };

  const matching = (key: ContextKey, pattern: RegExp, message: string): string | undefined => {
    const value = text(key);
    if (value !== undefined && !pattern.test(value)) return fail(key, message);
    return value;
  };

  const memberTargets = orgTargets('memberTargets');
  const organizationId = matching('organizationId', ORGANIZATION_ID, 'must be an organization id such as o-a1b2c3d4e5');
  const externalId = matching('externalId', EXTERNAL_ID, 'must be 2-1224 characters of [A-Za-z0-9+=,.@:/_-]');
  const scanRoleName = matching('scanRoleName', ROLE_NAME, 'must be an IAM role name') ?? DEFAULT_SCAN_ROLE_NAME;
  const remediateRoleName =
    matching('remediateRoleName', ROLE_NAME, 'must be an IAM role name') ?? DEFAULT_REMEDIATE_ROLE_NAME;
  if (scanRoleName === remediateRoleName) {
    fail('remediateRoleName', `must differ from scanRoleName (${scanRoleName}): a scan must never hold remediation rights`);
  }

  let callAs: RotorContext['callAs'] = 'SELF';
  const callAsText = text('callAs');
  if (callAsText !== undefined) {
    if ((CALL_AS as readonly string[]).includes(callAsText)) callAs = callAsText as RotorContext['callAs'];
    else fail('callAs', `must be one of ${CALL_AS.join(', ')}`);
  }

  let enforcement: EnforcementMode = DEFAULT_ENFORCEMENT;
  const enforcementText = text('enforcement');
  if (enforcementText !== undefined) {
    if ((ENFORCEMENT_MODES as readonly string[]).includes(enforcementText)) enforcement = enforcementText as EnforcementMode;
    else fail('enforcement', `must be one of ${ENFORCEMENT_MODES.join(', ')}`);
  }
  const enforcementRegions = listMatching('enforcementRegions', REGION_NAME, 'is not a Region name such as eu-west-1');
  const enforcementNotifications = flag('enforcementNotifications', false);

  const scheduleEnabled = flag('scheduleEnabled', true);
  let schedule: ScheduleSettings | undefined;
  const scheduleText = text('schedule') ?? (enforcement === 'remediate' ? ENFORCED_SCHEDULE : DEFAULT_SCHEDULE);
  if (scheduleText !== 'off') {
    if (RATE.test(scheduleText) || CRON.test(scheduleText)) schedule = { expression: scheduleText, enabled: scheduleEnabled };
    else fail('schedule', 'must be an EventBridge Scheduler rate(...) or cron(...) expression, or off');
  }

  const notificationEmail = matching('notificationEmail', EMAIL, 'must be an email address');
  const guardrails = flag('guardrails', false);
  const guardrailTargets = orgTargets('guardrailTargets');
  const breakGlassRoleArns = listMatching(
    'breakGlassRoleArn',
    IAM_ROLE_ARN,
    'is not an IAM role ARN: give arn:aws:iam::*:role/BreakGlass (that role name in every account), one role ARN, or a comma-separated list of them',
  );
  const allowedRotationRange = parseRange(text('allowedRotationRange'), (message) => fail('allowedRotationRange', message));
  if (breakGlassRoleArns) {
    const size = JSON.stringify(keyRotationScp({ breakGlassRoleArns, allowedRotationRange })).length;
    if (size > SCP_MAX_CHARACTERS) {
      fail('breakGlassRoleArn', `makes the SCP ${size} characters, over the ${SCP_MAX_CHARACTERS} an SCP may have: list fewer roles, or one with account *`);
    }
  }
  const conformancePackExcludedAccounts = listMatching('conformancePackExcludedAccounts', ACCOUNT_ID, 'is not a 12-digit account id');
  if (conformancePackExcludedAccounts && conformancePackExcludedAccounts.length > MAX_EXCLUDED_ACCOUNTS) {
    fail('conformancePackExcludedAccounts', `names ${conformancePackExcludedAccounts.length} accounts; a conformance pack excludes at most ${MAX_EXCLUDED_ACCOUNTS}`);
  }
  const conformancePackRegions = listMatching('conformancePackRegions', REGION_NAME, 'is not a Region name such as eu-west-1');
  const retentionDays = parseDays(raw.retentionDays, MIN_RETENTION_DAYS, MAX_RETENTION_DAYS, (message) => fail('retentionDays', message)) ?? DEFAULT_RETENTION_DAYS;
  const securityHubExport = flag('securityHubExport', false);
  const evidenceRetentionDays = parseDays(raw.evidenceRetentionDays, 1, MAX_RETENTION_DAYS, (message) => fail('evidenceRetentionDays', message));

  if (issues.length > 0) throw new ContextError(issues);
  return {
    memberTargets,
    organizationId,
    externalId,
    scanRoleName,
    remediateRoleName,
    callAs,
    schedule,
    notificationEmail,
    guardrails,
    guardrailTargets,
    breakGlassRoleArns,
    allowedRotationRange,
    conformancePackExcludedAccounts,
    conformancePackRegions,
    retentionDays,
    enforcement,
    enforcementRegions,
    enforcementNotifications,
    securityHubExport,
    evidenceRetentionDays,
  };
}

/** A whole number of days within min-max: a JSON number (cdk.json) or its decimal digits (`-c`). */
function parseDays(value: unknown, min: number, max: number, fail: (message: string) => undefined): number | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  const bounds = `a whole number of days within ${min}-${max}`;
  const days = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(days)) return fail(`must be ${bounds}, such as ${DEFAULT_RETENTION_DAYS}`);
  if (days < min || days > max) return fail(`must be ${bounds}`);
  return days;
}

function parseRange(value: string | undefined, fail: (message: string) => undefined): RotationRangeDays | undefined {
  if (value === undefined) return undefined;
  const bounds = `both within ${MIN_ROTATION_DAYS}-${MAX_ROTATION_DAYS}`;
  const match = /^(\d+)\s*-\s*(\d+)$/.exec(value);
  if (!match) return fail(`must be MIN-MAX days, ${bounds}, such as 90-365`);
  const [min, max] = [Number(match[1]), Number(match[2])];
  const inBounds = (n: number) => n >= MIN_ROTATION_DAYS && n <= MAX_ROTATION_DAYS;
  if (!inBounds(min) || !inBounds(max)) return fail(`must have ${bounds} (KMS accepts RotationPeriodInDays ${MIN_ROTATION_DAYS}-${MAX_ROTATION_DAYS})`);
  if (min > max) return fail('must have MIN no greater than MAX');
  return { min, max };
}

/** Reads the app's context keys (CDK keeps `-c` values as strings). */
export function readContext(tryGetContext: (key: string) => unknown): RawContext {
  return Object.fromEntries(CONTEXT_KEYS.map((key) => [key, tryGetContext(key)]));
}
