// Credentials for a member account: AssumeRole into the configured role, with the ExternalId
// when one is set; the account we run in is scanned with our own credentials.
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { describeError, homeRegion, isAccessDenied, stsClient, type Credentials } from './clients';

/** The member role could not be assumed: missing, not trusting us, or a wrong ExternalId. */
export class MemberAccessDenied extends Error {
  override readonly name = 'MemberAccessDenied';
}

let callerAccount: Promise<string> | undefined;

/** The account our own credentials belong to (asked once per process). */
export function callerAccountId(): Promise<string> {
  callerAccount ??= stsClient(homeRegion())
    .send(new GetCallerIdentityCommand({}))
    .then((out) => out.Account ?? '')
    .catch((error) => {
      callerAccount = undefined;
      throw error;
    });
  return callerAccount;
}

export interface MemberAccess {
  accountId: string;
  roleName: string;
  externalId?: string;
  sessionName: string;
}

/**
 * Credentials to act in `access.accountId`: undefined (our own chain) for the account we run in,
 * otherwise temporary credentials from AssumeRole.
 */
export async function credentialsFor(access: MemberAccess): Promise<Credentials | undefined> {
  if (access.accountId === (await callerAccountId())) return undefined;
  const roleArn = `arn:${partition()}:iam::${access.accountId}:role/${access.roleName}`;
  try {
    const out = await stsClient(homeRegion()).send(
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
    return credentials;
  } catch (error) {
    if (isAccessDenied(error)) {
      throw new MemberAccessDenied(`cannot assume ${roleArn} (${describeError(error)}): is the member role deployed and does it trust this account?`);
    }
    throw error;
  }
}

function partition(): string {
  const region = homeRegion();
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
