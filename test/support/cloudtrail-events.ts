// EventBridge "AWS API Call via CloudTrail" events from KMS in the shape the AWS documentation
// shows for CreateKey and DisableKeyRotation (the KMS developer guide's CloudTrail examples), built
// for a given key, account and Region: what the member rule forwards to the central bus.
import { randomUUID } from 'node:crypto';

export interface EventSpec {
  eventName: string;
  accountId: string;
  region: string;
  keyId: string;
  eventId?: string;
  principalArn?: string;
  time?: string;
  requestParameters?: Record<string, unknown>;
}

export function keyArnOf(spec: Pick<EventSpec, 'accountId' | 'region' | 'keyId'>): string {
  return `arn:aws:kms:${spec.region}:${spec.accountId}:key/${spec.keyId}`;
}

/** One EventBridge event around the CloudTrail record of `spec`. */
export function cloudTrailEvent(spec: EventSpec): Record<string, unknown> {
  const arn = keyArnOf(spec);
  const time = spec.time ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const principalArn = spec.principalArn ?? `arn:aws:iam::${spec.accountId}:user/Alice`;
  const created = spec.eventName === 'CreateKey';
  const detail = {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'EX_PRINCIPAL_ID', arn: principalArn, accountId: spec.accountId, accessKeyId: 'EXAMPLE_KEY_ID', userName: principalArn.split('/').pop() },
    eventTime: time,
    eventSource: 'kms.amazonaws.com',
    eventName: spec.eventName,
    awsRegion: spec.region,
    sourceIPAddress: '192.0.2.0',
    userAgent: 'AWS Internal',
    requestParameters: created
      ? { description: '', origin: 'AWS_KMS', bypassPolicyLockoutSafetyCheck: false, customerMasterKeySpec: 'SYMMETRIC_DEFAULT', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' }
      : { keyId: arn, ...spec.requestParameters },
    responseElements: created
      ? { keyMetadata: { AWSAccountId: spec.accountId, keyId: spec.keyId, arn, enabled: true, keyUsage: 'ENCRYPT_DECRYPT', keyState: 'Enabled', origin: 'AWS_KMS', keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', multiRegion: false } }
      : null,
    requestID: randomUUID(),
    eventID: spec.eventId ?? randomUUID(),
    readOnly: false,
    resources: [{ accountId: spec.accountId, type: 'AWS::KMS::Key', ARN: arn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: spec.accountId,
    eventCategory: 'Management',
  };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.kms',
    account: spec.accountId,
    time,
    region: spec.region,
    resources: [],
    detail,
  };
}
