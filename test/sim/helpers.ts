// Shared set-up of the simulator tests: real AWS SDK v3 clients pointed at a running simulator.
import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { SimulatedOrganization } from '../../local/sim';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ClientOptions {
  region?: string;
  credentials?: Credentials;
  maxAttempts?: number;
}

function config(sim: SimulatedOrganization, o: ClientOptions) {
  return {
    endpoint: sim.endpoint,
    region: o.region ?? 'us-east-1',
    credentials: o.credentials ?? sim.managementCredentials,
    maxAttempts: o.maxAttempts ?? 1,
  };
}

export const kmsClient = (sim: SimulatedOrganization, o: ClientOptions = {}) => new KMSClient(config(sim, o));
export const stsClient = (sim: SimulatedOrganization, o: ClientOptions = {}) => new STSClient(config(sim, o));
export const ec2Client = (sim: SimulatedOrganization, o: ClientOptions = {}) => new EC2Client(config(sim, o));
export const orgClient = (sim: SimulatedOrganization, o: ClientOptions = {}) => new OrganizationsClient(config(sim, o));

/** Assumes a role in a member account with the management credentials; returns the session's credentials. */
export async function assume(sim: SimulatedOrganization, accountId: string, roleName = 'KmsRotorScanRole', externalId?: string): Promise<Credentials> {
  const out = await stsClient(sim).send(new AssumeRoleCommand({
    RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`, RoleSessionName: 'sim-test', ExternalId: externalId,
  }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
