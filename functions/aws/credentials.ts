// Credentials for a member account: AssumeRole into the configured role, with the ExternalId
// when one is set; the account we run in is scanned with our own credentials.
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { describeError, homeRegion, isAccessDenied, partitionOf, stsClient, type Credentials } from './clients';

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
const callerAccounts = new Map<string, Promise<string>>();

/** One STS client per configuration (a Lambda container reuses it across invocations). */
function ownSts(): STSClient {
  const key = ownConfig();
  let client = stsClients.get(key);
  if (!client) stsClients.set(key, (client = stsClient(homeRegion())));
  return client;
}

/** The account our own credentials belong to (asked once per configuration). */
export function callerAccountId(): Promise<string> {
  const key = ownConfig();
  let account = callerAccounts.get(key);
  if (!account) {
    account = ownSts()
      .send(new GetCallerIdentityCommand({}))
      .then((out) => out.Account ?? '')
      .catch((error) => {
        callerAccounts.delete(key);
        throw error;
      });
    callerAccounts.set(key, account);
  }
  return account;
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
  const roleArn = `arn:${partitionOf(homeRegion())}:iam::${access.accountId}:role/${access.roleName}`;
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
    return credentials;
  } catch (error) {
    if (isAccessDenied(error)) {
      throw new MemberAccessDenied(`cannot assume ${roleArn} (${describeError(error)}): is the member role deployed and does it trust this account?`);
    }
    throw error;
  }
}
