// The simulator's CloudTrail: each KMS call that changes something (what CloudTrail logs as a
// management write event) becomes an EventBridge "AWS API Call via CloudTrail" event, in the shape
// the KMS developer guide shows for CreateKey and DisableKeyRotation. Fetched with
// `GET /_simulator/cloudtrail` (a JSON array) or `cloudTrailEvents()`; it imports nothing of kms-rotor.
import { randomUUID } from 'node:crypto';
import type { Identity } from './state';

/** The KMS calls that CloudTrail records as management write events (reads are not recorded here). */
export const RECORDED_KMS_CALLS = new Set([
  'CreateKey',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'EnableKey',
  'DisableKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'UpdatePrimaryRegion',
  'CreateAlias',
  'TagResource',
  'UntagResource',
]);

export interface RecordedCall {
  operation: string;
  caller: Identity;
  region: string;
  at: Date;
  requestId: string;
  input: Record<string, unknown>;
  /** The answer's JSON body, when the call succeeded. */
  output?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/** CloudTrail writes request and response fields in camelCase. */
function camel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camel);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [lowerFirst(k), camel(v)]));
  return value;
}

function userIdentity(caller: Identity): Record<string, unknown> {
  if (caller.session) {
    return {
      type: 'AssumedRole',
      principalId: caller.userId,
      arn: caller.arn,
      accountId: caller.accountId,
      accessKeyId: caller.accessKeyId,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${caller.accountId}:role/${caller.session.roleName}`, accountId: caller.accountId, userName: caller.session.roleName } },
    };
  }
  return { type: 'IAMUser', principalId: caller.userId, arn: caller.arn, accountId: caller.accountId, accessKeyId: caller.accessKeyId };
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\//;

/**
 * The EventBridge events of one recorded call: one in the call's Region, and for a successful
 * UpdatePrimaryRegion a second in the new primary's Region, as CloudTrail logs it in both (each
 * with the key's ARN in its own Region in responseElements.keyId).
 */
export function cloudTrailEventsOf(call: RecordedCall): Record<string, unknown>[] {
  const primaryRegion = call.input.PrimaryRegion;
  if (call.operation !== 'UpdatePrimaryRegion' || call.errorCode || typeof primaryRegion !== 'string') return [cloudTrailEvent(call)];
  return [call.region, primaryRegion].map((region) => cloudTrailEvent({ ...call, region }));
}

/** The EventBridge event of one recorded call, in the call's Region. */
export function cloudTrailEvent(call: RecordedCall): Record<string, unknown> {
  const meta = (call.output?.KeyMetadata ?? undefined) as { Arn?: string } | undefined;
  const keyRef = typeof call.input.KeyId === 'string' ? call.input.KeyId : typeof call.input.TargetKeyId === 'string' ? call.input.TargetKeyId : undefined;
  // An ARN in the entry's own Region: the UpdatePrimaryRegion entry of the new primary's Region names the key there.
  const keyArn = meta?.Arn ?? (keyRef && (KEY_ARN.test(keyRef) ? keyRef.replace(/^(arn:[^:]+:kms:)[^:]+/, `$1${call.region}`) : !keyRef.startsWith('alias/') ? `arn:aws:kms:${call.region}:${call.caller.accountId}:key/${keyRef}` : undefined));
  return kmsApiCallEvent(call.caller.accountId, call.region, call.at, {
    userIdentity: userIdentity(call.caller),
    eventName: call.operation,
    sourceIPAddress: '127.0.0.1',
    userAgent: 'kms-rotor-simulator',
    ...(call.errorCode ? { errorCode: call.errorCode, errorMessage: call.errorMessage } : {}),
    requestParameters: camel(call.input),
    responseElements: call.operation === 'CreateKey' && call.output ? { keyMetadata: camel(call.output.KeyMetadata) }
      : call.operation === 'UpdatePrimaryRegion' && !call.errorCode && keyArn ? { keyId: keyArn } : null,
    requestID: call.requestId,
    eventID: randomUUID(),
    resources: keyArn ? [{ accountId: call.caller.accountId, type: 'AWS::KMS::Key', ARN: keyArn }] : [],
  });
}

/** What one KMS write event says of its call; the rest of the CloudTrail record is the same for all. */
export interface KmsApiCall {
  userIdentity: Record<string, unknown>;
  eventName: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: unknown;
  responseElements: unknown;
  requestID: string;
  eventID: string;
  resources: unknown[];
}

/** The EventBridge "AWS API Call via CloudTrail" event around the record of a KMS management write call. */
export function kmsApiCallEvent(accountId: string, region: string, at: Date, call: KmsApiCall): Record<string, unknown> {
  const time = at.toISOString().replace(/\.\d+Z$/, 'Z');
  const { userIdentity, eventName, ...rest } = call;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.kms',
    account: accountId,
    time,
    region,
    resources: [],
    detail: {
      eventVersion: '1.08', userIdentity, eventTime: time, eventSource: 'kms.amazonaws.com', eventName, awsRegion: region, ...rest,
      readOnly: false, eventType: 'AwsApiCall', managementEvent: true, recipientAccountId: accountId, eventCategory: 'Management',
    },
  };
}
