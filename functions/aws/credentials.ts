// Credentials for a member account: AssumeRole into the configured role, with the ExternalId
// when one is set; the account we run in is scanned with our own credentials.
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { describeError, isAccessDenied } from './errors';
import { homeRegion, partitionOf } from './partition';
import { stsClient } from './clients/sts';
import { type Credentials } from './clients/config';

/** The member role could not be assumed: missing, not trusting us, or a wrong ExternalId. */
export class MemberAccessDenied extends Error {
  override readonly name = 'MemberAccessDenied';
}

/**
 * The configuration our own credentials and STS endpoint come from: a Lambda container has one
 * for its life; a process that points the SDK elsewhere (a test, the demo) gets fresh answers.
 */
const ownConfig = () => [homeRegion(), process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL ?? '', process.env.AWS_ACCESS_KEY_ID ?? '', process.env.AWS_PROFILE ?? ''].join('|');

const stsClients = new Map<string, STSClient>();
const callerIdentities = new Map<string, Promise<CallerIdentity>>();

/** One STS client per configuration (a Lambda container reuses it across invocations). */
function ownSts(): STSClient {
  const key = ownConfig();
  let client = stsClients.get(key);
  if (!client) stsClients.set(key, (client = stsClient(homeRegion())));
  return client;
}

/** Who our own credentials are: their account, and the partition of their ARN. */
export interface CallerIdentity {
  accountId: string;
  partition: string;
}

/** Our own identity (asked once per configuration). */
export function callerIdentity(): Promise<CallerIdentity> {
  const key = ownConfig();
  let identity = callerIdentities.get(key);
  if (!identity) {
    identity = ownSts()
      .send(new GetCallerIdentityCommand({}))
      .then((out) => ({ accountId: out.Account ?? '', partition: out.Arn?.split(':')[1] || partitionOf(homeRegion()) }))
      .catch((error) => {
        callerIdentities.delete(key);
        throw error;
      });
    callerIdentities.set(key, identity);
  }
  return identity;
}

/** The account our own credentials belong to. */
export async function callerAccountId(): Promise<string> {
  return (await callerIdentity()).accountId;
}

export interface MemberAccess {
  accountId: string;
  roleName: string;
  externalId?: string;
  sessionName: string;
}

/**
 * Assumed credentials are used again while they have this long left: longer than any invocation
 * (Lambda's 15 minutes), so none expires mid-call.
 */
const REUSE_MARGIN_MS = 15 * 60_000;

/** Credentials assumed by this process (a Lambda container keeps them across invocations), by role and session. */
const assumed = new Map<string, AwsCredentialIdentity>();

/**
 * Credentials to act in `access.accountId`: undefined (our own chain) for the account we run in,
 * otherwise temporary credentials from AssumeRole, reused for the same role and session name (one
 * run's scan, or its remediation across waves) while they are valid for REUSE_MARGIN_MS more.
 */
export async function credentialsFor(access: MemberAccess): Promise<Credentials | undefined> {
  if (access.accountId === (await callerAccountId())) return undefined;
  const roleArn = `arn:${partitionOf(homeRegion())}:iam::${access.accountId}:role/${access.roleName}`;
  const key = [ownConfig(), roleArn, access.externalId ?? '', access.sessionName].join('|');
  const kept = assumed.get(key);
  if (kept?.expiration && kept.expiration.getTime() - Date.now() > REUSE_MARGIN_MS) return kept;
  assumed.delete(key);
  try {
    const out = await ownSts().send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: access.sessionName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64),
        ExternalId: access.externalId,
        DurationSeconds: 3600,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${roleArn} returned no credentials`);
    const credentials: AwsCredentialIdentity = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
    assumed.set(key, credentials);
    return credentials;
  } catch (error) {
    if (isAccessDenied(error)) {
      throw new MemberAccessDenied(`cannot assume ${roleArn} (${describeError(error)}): is the member role deployed and does it trust this account?`);
    }
    throw error;
  }
}
