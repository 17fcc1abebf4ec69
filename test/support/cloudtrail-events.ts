// EventBridge "AWS API Call via CloudTrail" events from KMS in the shape the AWS documentation
// shows for CreateKey and DisableKeyRotation (the KMS developer guide's CloudTrail examples), built
// for a given key, account and Region: what the member rule forwards to the central bus. The
// envelope and the fields every KMS write event shares are the simulator's CloudTrail's.
import { randomUUID } from 'node:crypto';
import { kmsApiCallEvent } from '../../local/sim/cloudtrail';

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
  const principalArn = spec.principalArn ?? `arn:aws:iam::${spec.accountId}:user/Alice`;
  const created = spec.eventName === 'CreateKey';
  return kmsApiCallEvent(spec.accountId, spec.region, spec.time === undefined ? new Date() : new Date(spec.time), {
    userIdentity: { type: 'IAMUser', principalId: 'EX_PRINCIPAL_ID', arn: principalArn, accountId: spec.accountId, accessKeyId: 'EXAMPLE_KEY_ID', userName: principalArn.split('/').pop() },
    eventName: spec.eventName,
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
    resources: [{ accountId: spec.accountId, type: 'AWS::KMS::Key', ARN: arn }],
  });
}
