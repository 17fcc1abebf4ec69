// Builds an AWS Organization with KMS keys of every kind inside moto, through the SDK only, and
// reads back what moto says about them; states each key's expected finding from the kind of key
// the test created (the spec's rules), never from the product's code.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeysCommand,
  ReplicateKeyCommand,
  ScheduleKeyDeletionCommand,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { FindingStatus } from '../../functions/core/schemas';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { envWithoutAws } from '../../local/simulator-env';
import { startMoto, type MotoServer, type RecordedRequest } from '../support/moto';

export const REPO_ROOT = join(__dirname, '..', '..');
/** moto's default account: what the credentials below belong to, and the Organization's management account. */
export const MANAGEMENT_ACCOUNT = '123456789012';
/** Credentials moto accepts for its default account. */
const MOTO_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
const HOME_REGION = 'us-east-1';

/** The environment that points an AWS SDK at moto, as a user would (no product code involved). */
export function motoEnvironment(endpoint: string): Record<string, string> {
  return { AWS_ENDPOINT_URL: endpoint, ...MOTO_CREDENTIALS, AWS_REGION: HOME_REGION };
}

/** Points this process's SDK clients at moto; returns the function that restores the environment. */
export function useMotoEnvironment(endpoint: string): () => void {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  Object.assign(process.env, motoEnvironment(endpoint));
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}

/** What a conformance suite holds while it runs; each part is there from its beforeAll on. */
export interface MotoSuite {
  moto: MotoServer;
  /** The embedded store, when the suite asked for one. */
  embedded: EmbeddedStore;
  /** A scratch folder (a CLI's --data-dir), when the suite asked for one. */
  dir: string;
}

export interface MotoSuiteOptions {
  embeddedStore?: boolean;
  /** The scratch folder's name prefix; no folder without it. */
  scratchDir?: string;
  /** Reset moto and forget member credentials before each test (default true). */
  resetEach?: boolean;
}

/**
 * The lifecycle every conformance suite shares, registered as jest hooks: moto started once with
 * this process's SDK pointed at it, reset before each test (a test builds its own Organization),
 * and everything stopped and removed after the suite.
 */
export function useMotoSuite(options: MotoSuiteOptions = {}): MotoSuite {
  const suite = {} as MotoSuite;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    suite.moto = await startMoto();
    restoreEnv = useMotoEnvironment(suite.moto.endpoint);
    if (options.embeddedStore) suite.embedded = await startEmbeddedStore();
    if (options.scratchDir) suite.dir = mkdtempSync(join(tmpdir(), options.scratchDir));
  }, 60_000);
  afterAll(async () => {
    restoreEnv?.();
    await suite.embedded?.close();
    await suite.moto?.stop();
    if (suite.dir) rmSync(suite.dir, { recursive: true, force: true });
  });
  if (options.resetEach ?? true) {
    beforeEach(async () => {
      await suite.moto.reset();
      forgetCredentials();
    });
  }
  return suite;
}

// ---- the Organization ----

export interface MotoOrganization {
  management: string;
  /** Member account ids by the name they were created with. */
  members: Record<string, string>;
  /** Every account, management first. */
  accounts: string[];
}

export async function createOrganization(memberNames: readonly string[]): Promise<MotoOrganization> {
  const org = new OrganizationsClient({ region: HOME_REGION });
  try {
    const created = await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const management = created.Organization?.MasterAccountId ?? '';
    if (management !== MANAGEMENT_ACCOUNT) throw new Error(`moto made ${management} the management account, not ${MANAGEMENT_ACCOUNT}`);
    const members: Record<string, string> = {};
    for (const name of memberNames) {
      const out = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
      const id = out.CreateAccountStatus?.AccountId;
      if (out.CreateAccountStatus?.State !== 'SUCCEEDED' || !id) throw new Error(`moto did not create account ${name}: ${JSON.stringify(out.CreateAccountStatus)}`);
      members[name] = id;
    }
    return { management, members, accounts: [management, ...Object.values(members)] };
  } finally {
    org.destroy();
  }
}

const credentialCache = new Map<string, Promise<AwsCredentialIdentity | undefined>>();

/**
 * Credentials to act in an account: moto's own for the management account, AssumeRole into the
 * role Organizations creates in every new member account otherwise (moto maps the temporary
 * credentials to the role's account).
 */
export function accountCredentials(accountId: string): Promise<AwsCredentialIdentity | undefined> {
  if (accountId === MANAGEMENT_ACCOUNT) return Promise.resolve(undefined);
  const key = `${process.env.AWS_ENDPOINT_URL}|${accountId}`;
  let cached = credentialCache.get(key);
  if (!cached) {
    cached = (async () => {
      const sts = new STSClient({ region: HOME_REGION });
      try {
        const out = await sts.send(
          new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'conformance-setup' }),
        );
        const c = out.Credentials!;
        return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
      } finally {
        sts.destroy();
      }
    })();
    credentialCache.set(key, cached);
  }
  return cached;
}

/** Forgets cached member credentials (after a moto reset they belong to nobody). */
export function forgetCredentials(): void {
  credentialCache.clear();
}

export async function kmsIn(accountId: string, region: string): Promise<KMSClient> {
  return new KMSClient({ region, credentials: await accountCredentials(accountId) });
}

// ---- keys ----

export const KEY_KINDS = [
  'rotating',
  'not-rotating',
  'asymmetric',
  'hmac',
  'disabled',
  'pending-deletion',
  'imported',
  'aws-managed',
  'mrk-primary',
  'mrk-replica',
] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** A key the test created in moto, and what kind it is. */
export interface CreatedKey {
  accountId: string;
  region: string;
  keyId: string;
  keyArn: string;
  kind: KeyKind;
  /** For a replica: its primary's ARN. */
  primaryArn?: string;
}

/** What to create: `mrk` makes a multi-Region primary here (not rotating) and its replica in `replicaRegion`. */
export interface KeyRequest {
  accountId: string;
  region: string;
  kind: Exclude<KeyKind, 'mrk-primary' | 'mrk-replica'> | 'mrk';
  replicaRegion?: string;
  count?: number;
}

function created(accountId: string, region: string, meta: KeyMetadata | undefined, kind: KeyKind): CreatedKey {
  if (!meta?.KeyId || !meta.Arn) throw new Error(`moto returned no key metadata for a ${kind} key`);
  return { accountId, region, keyId: meta.KeyId, keyArn: meta.Arn, kind };
}

async function createOne(kms: KMSClient, request: KeyRequest): Promise<CreatedKey[]> {
  const { accountId, region } = request;
  const make = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}) => (await kms.send(new CreateKeyCommand(input))).KeyMetadata;
  switch (request.kind) {
    case 'rotating': {
      const key = await make();
      await kms.send(new EnableKeyRotationCommand({ KeyId: key!.KeyId }));
      return [created(accountId, region, key, 'rotating')];
    }
    case 'not-rotating':
      return [created(accountId, region, await make(), 'not-rotating')];
    case 'asymmetric':
      return [created(accountId, region, await make({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }), 'asymmetric')];
    case 'hmac':
      return [created(accountId, region, await make({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }), 'hmac')];
    case 'disabled': {
      const key = await make();
      await kms.send(new DisableKeyCommand({ KeyId: key!.KeyId }));
      return [created(accountId, region, key, 'disabled')];
    }
    case 'pending-deletion': {
      const key = await make();
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key!.KeyId, PendingWindowInDays: 7 }));
      return [created(accountId, region, key, 'pending-deletion')];
    }
    case 'imported':
      return [created(accountId, region, await make({ Origin: 'EXTERNAL' }), 'imported')];
    case 'aws-managed': {
      // moto creates the AWS-managed key behind a reserved alias the first time it is used.
      const out = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ebs' }));
      return [created(accountId, region, out.KeyMetadata, 'aws-managed')];
    }
    case 'mrk': {
      if (!request.replicaRegion) throw new Error('an mrk request needs a replicaRegion');
      const primary = created(accountId, region, await make({ MultiRegion: true }), 'mrk-primary');
      const out = await kms.send(new ReplicateKeyCommand({ KeyId: primary.keyId, ReplicaRegion: request.replicaRegion }));
      const replica = created(accountId, request.replicaRegion, out.ReplicaKeyMetadata, 'mrk-replica');
      return [primary, { ...replica, primaryArn: primary.keyArn }];
    }
  }
}

/** Creates the keys asked for; requests of one account and Region run in order, the rest in parallel. */
export async function createKeys(requests: readonly KeyRequest[]): Promise<CreatedKey[]> {
  const byScope = new Map<string, KeyRequest[]>();
  for (const r of requests) byScope.set(`${r.accountId}/${r.region}`, [...(byScope.get(`${r.accountId}/${r.region}`) ?? []), r]);
  const groups = await Promise.all(
    [...byScope.values()].map(async (group) => {
      const kms = await kmsIn(group[0].accountId, group[0].region);
      const out: CreatedKey[] = [];
      try {
        for (const request of group) for (let i = 0; i < (request.count ?? 1); i++) out.push(...(await createOne(kms, request)));
      } finally {
        kms.destroy();
      }
      return out;
    }),
  );
  return groups.flat();
}

// ---- what moto says ----

/** ListKeys of one account and Region, as moto answers it. */
export async function motoKeys(accountId: string, region: string): Promise<{ keyId: string; keyArn: string }[]> {
  const kms = await kmsIn(accountId, region);
  try {
    const out: { keyId: string; keyArn: string }[] = [];
    let Marker: string | undefined;
    do {
      const page = await kms.send(new ListKeysCommand({ Marker }));
      for (const k of page.Keys ?? []) out.push({ keyId: k.KeyId!, keyArn: k.KeyArn! });
      Marker = page.Truncated ? page.NextMarker : undefined;
    } while (Marker);
    return out;
  } finally {
    kms.destroy();
  }
}

/** GetKeyRotationStatus as moto answers it, with the account's own credentials. */
export async function motoRotation(key: Pick<CreatedKey, 'accountId' | 'region' | 'keyId'>): Promise<{ enabled: boolean; periodInDays?: number }> {
  const kms = await kmsIn(key.accountId, key.region);
  try {
    const out = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }));
    return { enabled: out.KeyRotationEnabled === true, periodInDays: out.RotationPeriodInDays };
  } finally {
    kms.destroy();
  }
}

export async function motoDescribe(key: Pick<CreatedKey, 'accountId' | 'region' | 'keyId'>): Promise<KeyMetadata> {
  const kms = await kmsIn(key.accountId, key.region);
  try {
    return (await kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata!;
  } finally {
    kms.destroy();
  }
}

export async function disableRotation(key: Pick<CreatedKey, 'accountId' | 'region' | 'keyId'>): Promise<void> {
  const kms = await kmsIn(key.accountId, key.region);
  try {
    await kms.send(new DisableKeyRotationCommand({ KeyId: key.keyId }));
  } finally {
    kms.destroy();
  }
}

// ---- what the product should say ----

export interface ExpectedFinding {
  status: FindingStatus;
  /** The reason must match (NOT_APPLICABLE keys must say why). */
  reason?: RegExp;
  /** Asserted for keys in scope only (the rotation status of other keys is not asked). */
  rotationEnabledBefore?: boolean;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The finding a scan must produce for a key of this kind (the statuses in docs/operator-guide.md "Read reports"). */
export function expectedScanFinding(key: CreatedKey): ExpectedFinding {
  switch (key.kind) {
    case 'rotating':
      return { status: 'COMPLIANT', rotationEnabledBefore: true };
    case 'not-rotating':
    case 'mrk-primary':
      return { status: 'NON_COMPLIANT', rotationEnabledBefore: false };
    case 'asymmetric':
      return { status: 'NOT_APPLICABLE', reason: /asymmetric.*RSA_2048/i };
    case 'hmac':
      return { status: 'NOT_APPLICABLE', reason: /HMAC/ };
    case 'disabled':
      return { status: 'NOT_APPLICABLE', reason: /disabled/i };
    case 'pending-deletion':
      return { status: 'NOT_APPLICABLE', reason: /pending deletion/i };
    case 'imported':
      return { status: 'NOT_APPLICABLE', reason: /imported|EXTERNAL/i };
    case 'aws-managed':
      return { status: 'NOT_APPLICABLE', reason: /AWS[- ]managed/i };
    case 'mrk-replica':
      return { status: 'NOT_APPLICABLE', reason: new RegExp(`replica.*${escapeRegExp(key.primaryArn ?? '')}`, 'i') };
  }
}

export const scopeOf = (k: { accountId: string; region: string; keyId: string }) => `${k.accountId}/${k.region}/${k.keyId}`;

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

// ---- the CLI in a child process ----

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run --silent rotor -- <args>` in the repository, with only moto's AWS environment. */
export function runCli(args: readonly string[], endpoint: string, timeoutMs = 90_000): Promise<CliResult> {
  const env = envWithoutAws(motoEnvironment(endpoint));
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'rotor', '--', ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a timeout ends npm and the node it started.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`rotor ${args.join(' ')} did not finish within ${timeoutMs / 1000}s\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// ---- the requests the product sent (moto's recorder) ----

export interface KmsCall {
  action: string;
  region: string;
  keyId?: string;
  body: Record<string, unknown>;
  /** The access key that signed the call: whose credentials were used. */
  accessKeyId: string;
}

/** The SigV4 credential scope of a request: access key, Region and service. */
function credentialScope(request: RecordedRequest): { accessKeyId: string; region: string; service: string } {
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(request.headers.authorization ?? '');
  return { accessKeyId: match?.[1] ?? '', region: match?.[2] ?? '', service: match?.[3] ?? '' };
}

/** The KMS calls among recorded requests (JSON protocol, X-Amz-Target TrentService.<Action>). */
export function kmsCalls(requests: readonly RecordedRequest[]): KmsCall[] {
  return requests
    .filter((r) => (r.headers['x-amz-target'] ?? '').startsWith('TrentService.'))
    .map((r) => {
      const body = (r.body ? JSON.parse(r.body) : {}) as Record<string, unknown>;
      const scope = credentialScope(r);
      return {
        action: r.headers['x-amz-target'].slice('TrentService.'.length),
        region: scope.region,
        keyId: typeof body.KeyId === 'string' ? body.KeyId : undefined,
        body,
        accessKeyId: scope.accessKeyId,
      };
    });
}

/** The role ARNs of recorded STS AssumeRole calls (query protocol, or JSON where the SDK uses it). */
export function assumedRoleArns(requests: readonly RecordedRequest[]): string[] {
  const arns: string[] = [];
  for (const r of requests) {
    if (credentialScope(r).service !== 'sts') continue;
    if ((r.headers['content-type'] ?? '').includes('json')) {
      const body = JSON.parse(r.body || '{}') as { RoleArn?: string };
      if (r.headers['x-amz-target']?.endsWith('AssumeRole') && body.RoleArn) arns.push(body.RoleArn);
    } else {
      const params = new URLSearchParams(r.body);
      if (params.get('Action') === 'AssumeRole' && params.get('RoleArn')) arns.push(params.get('RoleArn')!);
    }
  }
  return arns;
}
