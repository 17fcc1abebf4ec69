// Continuous enforcement's core: the EventBridge "AWS API Call via CloudTrail" events from KMS that
// can break the control or bring a key into scope, parsed at the edge, and the pure decisions over
// them: which key to look at, whether the event is ours to act on, and what its record says. The
// event only names the key; the key itself is always re-read, so order and repeats do not matter.
import * as z from 'zod';
import { ACCOUNT_ID, REGION_NAME, Finding, type FindingStatus } from './schemas';
import type { KeyVerdict } from './classify';

/**
 * The KMS calls the member rule forwards, and why each matters:
 * - CreateKey: every key is created with rotation off (a ReplicateKey also logs a CreateKey in the replica's Region);
 * - DisableKeyRotation: break-glass turned rotation off despite the SCP;
 * - EnableKey, CancelKeyDeletion: a disabled key, or one pending deletion, is back in scope;
 * - ReplicateKey: the primary of a new replica is (again) a multi-Region key whose rotation must hold;
 * - UpdatePrimaryRegion: a replica became the primary, which is where rotation is set;
 * - EnableKeyRotation: only with a period outside the allowed range (the rule filters; so does this module).
 * ImportKeyMaterial, PutKeyPolicy, tags and aliases are left out: imported keys are out of scope
 * whatever their material, and policies, tags and aliases change neither scope nor rotation.
 */
export const ENFORCED_EVENT_NAMES = [
  'CreateKey',
  'DisableKeyRotation',
  'EnableKey',
  'CancelKeyDeletion',
  'ReplicateKey',
  'UpdatePrimaryRegion',
  'EnableKeyRotation',
] as const;
export type EnforcedEventName = (typeof ENFORCED_EVENT_NAMES)[number];

export const EVENT_SOURCE = 'aws.kms';
export const DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const CLOUDTRAIL_EVENT_SOURCE = 'kms.amazonaws.com';

export const ENFORCEMENT_MODES = ['remediate', 'detect', 'off'] as const;
export type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];
export const DEFAULT_ENFORCEMENT: EnforcementMode = 'detect';

/** Queue to function: records per invocation and invocations at once (SQS's maximum concurrency is at least 2). */
export const EVENT_BATCH_SIZE = 10;
export const EVENT_HANDLER_CONCURRENCY = 2;

const keyRef = z.string().min(1).max(2048);

/** The CloudTrail record as KMS writes it (the fields kms-rotor reads; others pass through). */
export const CloudTrailRecord = z.looseObject({
  eventVersion: z.string().optional(),
  userIdentity: z
    .looseObject({
      type: z.string().optional(),
      principalId: z.string().optional(),
      arn: z.string().optional(),
      accountId: z.string().optional(),
      invokedBy: z.string().optional(),
      sessionContext: z.looseObject({ sessionIssuer: z.looseObject({ arn: z.string().optional() }).optional() }).optional(),
    })
    .optional(),
  eventTime: z.string().min(1),
  eventSource: z.string(),
  eventName: z.string(),
  awsRegion: z.string().regex(REGION_NAME, 'must be a Region name'),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  requestParameters: z
    .looseObject({
      keyId: keyRef.optional(),
      rotationPeriodInDays: z.number().int().optional(),
      primaryRegion: z.string().regex(REGION_NAME).optional(),
      replicaRegion: z.string().optional(),
    })
    .nullable()
    .optional(),
  responseElements: z
    .looseObject({
      keyMetadata: z.looseObject({ keyId: z.string().optional(), arn: z.string().optional() }).optional(),
      keyId: z.string().optional(),
    })
    .nullable()
    .optional(),
  eventID: z.string().min(1).max(128),
  resources: z.array(z.looseObject({ ARN: z.string().optional(), type: z.string().optional(), accountId: z.string().optional() })).optional(),
  recipientAccountId: z.string().regex(ACCOUNT_ID, 'must be a 12-digit account id'),
});
export type CloudTrailRecord = z.infer<typeof CloudTrailRecord>;

/** The EventBridge envelope around it. */
export const KeyEventEnvelope = z.looseObject({
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string().regex(ACCOUNT_ID, 'must be a 12-digit account id'),
  time: z.string().optional(),
  region: z.string().regex(REGION_NAME, 'must be a Region name'),
  detail: CloudTrailRecord,
});
export type KeyEventEnvelope = z.infer<typeof KeyEventEnvelope>;

/** What an event says, once parsed: the call, who made it, and the key it names. */
export interface KeyEvent {
  eventId: string;
  eventName: string;
  eventTime: string;
  accountId: string;
  /** The Region of the key to look at (for UpdatePrimaryRegion: the new primary's). */
  region: string;
  keyId: string;
  keyArn: string;
  /** Who made the call: the role behind an assumed-role session, the user, or the AWS service. */
  principal: string;
  /** EnableKeyRotation's requested period. */
  rotationPeriodInDays?: number;
}

export type ParsedEvent = { ok: true; event: KeyEvent } | { ok: false; reason: string; eventId?: string };

const KEY_ARN_PARTS = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/([A-Za-z0-9-]+)$/;
/** A key id as KEY_ARN admits it (a UUID, or mrk- and hex for a multi-Region key; emulators vary the latter). */
const KEY_ID = /^[A-Za-z0-9-]{1,100}$/;

function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function principalOf(detail: CloudTrailRecord): string {
  const who = detail.userIdentity;
  return who?.sessionContext?.sessionIssuer?.arn ?? who?.arn ?? who?.invokedBy ?? who?.principalId ?? who?.accountId ?? 'unknown';
}

/** The key id or ARN the record names, in the order KMS fills them for each call. */
function namedKey(detail: CloudTrailRecord): string | undefined {
  if (detail.eventName === 'CreateKey') return detail.responseElements?.keyMetadata?.arn ?? detail.responseElements?.keyMetadata?.keyId;
  const resource = detail.resources?.find((r) => r.type === 'AWS::KMS::Key' && r.ARN)?.ARN;
  return resource ?? detail.requestParameters?.keyId ?? detail.responseElements?.keyId;
}

/** A schema's complaints as one line naming each field. */
function issuesOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(event)'}: ${i.message}`).join('; ');
}

/**
 * Parses one EventBridge event. A malformed event, one not from KMS through CloudTrail (a forged
 * source, a detail that disagrees with its envelope), a failed call or one kms-rotor does not act
 * on is `ok: false` with the reason: logged and dropped, never retried.
 */
export function parseKeyEvent(raw: unknown): ParsedEvent {
  const parsed = KeyEventEnvelope.safeParse(raw);
  const eventId = (raw as { detail?: { eventID?: unknown } } | null)?.detail?.eventID;
  const id = typeof eventId === 'string' ? eventId : undefined;
  if (!parsed.success) return { ok: false, reason: `malformed event: ${issuesOf(parsed.error)}`, eventId: id };
  const envelope = parsed.data;
  const detail = envelope.detail;
  if (envelope.source !== EVENT_SOURCE || envelope['detail-type'] !== DETAIL_TYPE || detail.eventSource !== CLOUDTRAIL_EVENT_SOURCE) {
    return { ok: false, reason: `not a KMS call delivered by CloudTrail (source ${envelope.source}, detail-type ${envelope['detail-type']}, eventSource ${detail.eventSource})`, eventId: id };
  }
  // A rule delivers the event of the account and Region it runs in: a record saying otherwise was not written by CloudTrail there.
  if (detail.recipientAccountId !== envelope.account || detail.awsRegion !== envelope.region) {
    return { ok: false, reason: `forged event: its record is of ${detail.recipientAccountId} ${detail.awsRegion}, its envelope of ${envelope.account} ${envelope.region}`, eventId: id };
  }
  if (!(ENFORCED_EVENT_NAMES as readonly string[]).includes(detail.eventName)) {
    return { ok: false, reason: `${detail.eventName} is not an event kms-rotor enforces on`, eventId: id };
  }
  if (detail.errorCode) return { ok: false, reason: `the ${detail.eventName} call failed (${detail.errorCode}): nothing changed`, eventId: id };

  const named = namedKey(detail);
  if (!named) return { ok: false, reason: `${detail.eventName} names no key`, eventId: id };
  const arnParts = KEY_ARN_PARTS.exec(named);
  const keyId = arnParts ? arnParts[4] : named;
  if (!KEY_ID.test(keyId)) return { ok: false, reason: `${detail.eventName} names ${JSON.stringify(named.slice(0, 80))}, not a key id or key ARN`, eventId: id };
  if (arnParts && (arnParts[3] !== envelope.account || arnParts[2] !== envelope.region)) {
    return { ok: false, reason: `forged event: the key ${named} is not of ${envelope.account} ${envelope.region}`, eventId: id };
  }
  // UpdatePrimaryRegion makes the key in primaryRegion the primary (a multi-Region key's id is the same in every Region).
  const region = detail.eventName === 'UpdatePrimaryRegion' ? (detail.requestParameters?.primaryRegion ?? envelope.region) : envelope.region;
  const partition = arnParts?.[1] ?? partitionOfRegion(region);
  return {
    ok: true,
    event: {
      eventId: detail.eventID,
      eventName: detail.eventName,
      eventTime: detail.eventTime,
      accountId: envelope.account,
      region,
      keyId,
      keyArn: `arn:${partition}:kms:${region}:${envelope.account}:key/${keyId}`,
      principal: principalOf(detail),
      rotationPeriodInDays: detail.requestParameters?.rotationPeriodInDays ?? undefined,
    },
  };
}

export interface RotationRangeDays {
  min: number;
  max: number;
}

export interface EventContext {
  /** Whether the event's account is an account of our Organization. */
  isMember: boolean;
  /** An earlier delivery of the same event was handled already. */
  seen: boolean;
  allowedRotationRange?: RotationRangeDays;
}

export type EventDecision = { act: true } | { act: false; reason: string; outcome: 'dropped' | 'duplicate' };

/** Whether to look at the key at all: an Organization account, a first delivery, an event that can matter. */
export function decideKeyEvent(event: KeyEvent, context: EventContext): EventDecision {
  if (!context.isMember) return { act: false, outcome: 'dropped', reason: `account ${event.accountId} is not in the Organization` };
  if (context.seen) return { act: false, outcome: 'duplicate', reason: `event ${event.eventId} was handled already` };
  if (event.eventName === 'EnableKeyRotation' && !outsideRange(event.rotationPeriodInDays, context.allowedRotationRange)) {
    return { act: false, outcome: 'dropped', reason: 'rotation was turned on with an allowed period' };
  }
  return { act: true };
}

/** A period KMS would apply (365 when none is given) that the allowed range does not admit. */
export function outsideRange(periodInDays: number | undefined, range: RotationRangeDays | undefined): boolean {
  if (!range) return false;
  const period = periodInDays ?? 365;
  return period < range.min || period > range.max;
}

/**
 * What to do with a key the event named, from its verdict (classifyKey's): turn rotation on for a
 * NON_COMPLIANT key, and set the configured period on a COMPLIANT one whose period the range does
 * not admit; leave every other key as it is.
 */
export function needsRotation(verdict: KeyVerdict, range: RotationRangeDays | undefined): { enable: boolean; reason?: string } {
  if (verdict.status === 'NON_COMPLIANT') return { enable: true, reason: verdict.reason };
  if (verdict.status === 'COMPLIANT' && range && outsideRange(verdict.rotationPeriodInDays, range)) {
    return { enable: true, reason: `rotation period ${verdict.rotationPeriodInDays ?? 365} days is outside the allowed ${range.min}-${range.max}` };
  }
  return { enable: false };
}

/** What an event came to: enforced (rotation turned on), recorded (the key's state, nothing changed), dropped, duplicate or failed. */
export const EVENT_OUTCOMES = ['enforced', 'recorded', 'dropped', 'duplicate', 'failed'] as const;
export const EventOutcome = z.enum(EVENT_OUTCOMES);
export type EventOutcome = z.infer<typeof EventOutcome>;

/** The stored record of one handled event (the store keeps it in the key's history partition). */
export const EventRecord = z.object({
  eventId: z.string(),
  eventName: z.string(),
  eventTime: z.string(),
  principal: z.string(),
  accountId: z.string(),
  region: z.string(),
  keyId: z.string(),
  keyArn: z.string(),
  outcome: EventOutcome,
  reason: z.string().optional(),
  handledAt: z.string(),
  /** The key's finding after the event (absent when the key could not be read). */
  finding: Finding.optional(),
});
export type EventRecord = z.infer<typeof EventRecord>;

/** The run id an event's finding carries: an event is not a run, and never shares an id with one. */
export const eventRunId = (eventId: string) => `event-${eventId}`;

/** The finding an event records for its key: source `event`, the CloudTrail event id and principal. */
export function eventFinding(
  event: KeyEvent,
  state: { status: FindingStatus; reason?: string; rotationEnabledBefore: boolean | null; rotationEnabledAfter?: boolean; rotationPeriodInDays?: number },
  facts: { keySpec?: string; keyManager?: string; aliases?: string[] },
  at: string,
): Finding {
  return {
    runId: eventRunId(event.eventId),
    accountId: event.accountId,
    region: event.region,
    keyId: event.keyId,
    keyArn: event.keyArn,
    ...state,
    keySpec: facts.keySpec,
    keyManager: facts.keyManager,
    aliases: facts.aliases,
    scannedAt: at,
    source: 'event',
    eventId: event.eventId,
    eventName: event.eventName,
    principal: event.principal,
  };
}

/** The outcome of an event whose key was read: enforced when rotation was turned on, else recorded. */
export function outcomeOf(finding: Pick<Finding, 'status'>): EventOutcome {
  return finding.status === 'REMEDIATED' ? 'enforced' : 'recorded';
}

/** One line for a person (the CLI, the notification): what happened to which key, and why. */
export function describeEventRecord(record: Pick<EventRecord, 'eventName' | 'eventId' | 'keyArn' | 'outcome' | 'reason' | 'principal' | 'finding'>): string {
  const status = record.finding ? ` ${record.finding.status}` : '';
  const reason = record.reason ?? record.finding?.reason;
  return `${record.outcome}${status} ${record.keyArn} (${record.eventName} ${record.eventId} by ${record.principal})${reason ? `: ${reason}` : ''}`;
}
