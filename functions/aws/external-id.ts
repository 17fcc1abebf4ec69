// The ExternalId the member roles require, as the functions that assume them read it: from the
// deployment's secret, named by its ARN in their own environment, read once per container. It is
// never part of an event, a state's input or output, a log line or a stored item.
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { EXTERNAL_ID } from '../core/schemas';
import { secretsManagerClient } from './clients/secrets-manager';

/** The environment variable that names the secret (set by the stack on ScanAccount, RemediateAccount and EnforceKey only). */
export const EXTERNAL_ID_SECRET_ENV = 'EXTERNAL_ID_SECRET_ARN';

/** Where a step gets the ExternalId from: undefined when none is configured (AssumeRole then passes none). */
export type ExternalIdSource = () => Promise<string | undefined>;

/** The secret's value, by ARN: a container reads it once and keeps it. */
const read = new Map<string, Promise<string>>();

/** The ExternalId held by the secret `secretArn` (its SecretString), checked against the member roles' pattern. */
export function externalIdFromSecret(secretArn: string): Promise<string> {
  let value = read.get(secretArn);
  if (!value) {
    value = secretsManagerClient()
      .send(new GetSecretValueCommand({ SecretId: secretArn }))
      .then((out) => {
        // The value is never quoted back: it would end up in the state machine's error and the logs.
        if (out.SecretString === undefined || !EXTERNAL_ID.test(out.SecretString)) {
          throw new Error(`the secret ${secretArn} does not hold an ExternalId (2-1224 characters of [\\w+=,.@:/-])`);
        }
        return out.SecretString;
      })
      // A failed read (throttled, not yet allowed) is tried again by the next invocation.
      .catch((error: unknown) => {
        read.delete(secretArn);
        throw error;
      });
    read.set(secretArn, value);
  }
  return value;
}

/** The deployed functions' source: the secret their environment names (at each call), or none. */
export function externalIdFromEnv(env: Record<string, string | undefined> = process.env): ExternalIdSource {
  return async () => {
    const secretArn = env[EXTERNAL_ID_SECRET_ENV];
    return secretArn ? externalIdFromSecret(secretArn) : undefined;
  };
}
