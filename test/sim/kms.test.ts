// KMS of the simulated organization through the real SDK client: pagination, DescribeKey per key
// kind, rotation status and EnableKeyRotation answers per kind and state, Regions, CreateKey, tags.
import {
  CreateKeyCommand, DescribeKeyCommand, DisableKeyRotationCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand,
  ListAliasesCommand, ListKeysCommand, ListResourceTagsCommand, TagResourceCommand, UpdatePrimaryRegionCommand, paginateListAliases, paginateListKeys,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { buildLargeScenario, startSimulator, type KeyView, type SimulatedOrganization } from '../../local/sim';
import { standardScenarioPath, STANDARD } from '../scenarios';
import { assume, errorOf, kmsClient } from './helpers';

const PROD = '100000000002';
const DATA = '100000000003';
const STAGING = '100000000004';

let sim: SimulatedOrganization;
const clients = new Map<string, KMSClient>();

beforeAll(async () => {
  sim = await startSimulator({ scenario: standardScenarioPath });
  for (const account of [PROD, DATA, STAGING]) {
    const creds = await assume(sim, account, 'KmsRotorRemediateRole');
    for (const region of [...STANDARD.regions, STANDARD.optInRegion, 'us-west-1']) {
      clients.set(`${account}/${region}`, kmsClient(sim, { credentials: creds, region }));
    }
  }
});
afterAll(() => sim.close());

const kms = (account: string, region = 'us-east-1') => clients.get(`${account}/${region}`)!;

function find(account: string, region: string, pick: (k: KeyView) => boolean): KeyView {
  const key = sim.listKeys(account, region).find(pick);
  if (!key) throw new Error(`no such key in ${account} ${region}`);
  return key;
}
const byAlias = (account: string, region: string, alias: string) => find(account, region, (k) => k.aliases.includes(alias));

describe('listing', () => {
  test('ListKeys pages at 100 by default and honours Limit, through the SDK paginator', async () => {
    const large = await startSimulator({ scenario: buildLargeScenario({ accounts: 1, keysPerAccount: 250, regions: ['us-east-1'] }) });
    try {
      const client = kmsClient(large);
      const pages: number[] = [];
      const ids: string[] = [];
      for await (const page of paginateListKeys({ client }, {})) {
        pages.push(page.Keys!.length);
        ids.push(...page.Keys!.map((k) => k.KeyId!));
      }
      expect(pages).toEqual([100, 100, 50]);
      expect(new Set(ids).size).toBe(250);
      expect(ids).toEqual(large.listKeys(large.managementAccountId).map((k) => k.keyId));
      const small: string[] = [];
      for await (const page of paginateListKeys({ client, pageSize: 40 }, {})) small.push(...page.Keys!.map((k) => k.KeyId!));
      expect(small).toEqual(ids);
      expect(large.totalCalls({ operation: 'ListKeys' })).toBe(3 + 7);

      const aliasPages: number[] = [];
      for await (const page of paginateListAliases({ client, pageSize: 30 }, {})) aliasPages.push(page.Aliases!.length);
      const aliasCount = aliasPages.reduce((a, b) => a + b, 0);
      expect(aliasPages.length).toBe(Math.ceil(aliasCount / 30));
      expect(aliasCount).toBeGreaterThan(80);
    } finally {
      await large.close();
    }
  });

  test('ListKeys answers Truncated and NextMarker; a marker from elsewhere is InvalidMarkerException', async () => {
    const first = await kms(PROD).send(new ListKeysCommand({ Limit: 2 }));
    expect(first.Keys).toHaveLength(2);
    expect(first.Truncated).toBe(true);
    expect(first.NextMarker).toBeTruthy();
    const all = await kms(PROD).send(new ListKeysCommand({}));
    expect(all.Truncated).toBe(false);
    expect(all.NextMarker).toBeUndefined();
    expect(all.Keys!.every((k) => k.KeyArn === `arn:aws:kms:us-east-1:${PROD}:key/${k.KeyId}`)).toBe(true);
    expect((await errorOf(kms(DATA).send(new ListKeysCommand({ Marker: first.NextMarker })))).name).toBe('InvalidMarkerException');
    expect((await errorOf(kms(PROD).send(new ListKeysCommand({ Limit: 1001 })))).name).toBe('ValidationException');
  });

  test('ListAliases lists aliases with their target, AWS aliases included, and filters by key', async () => {
    const mgmt = kmsClient(sim);
    const { Aliases } = await mgmt.send(new ListAliasesCommand({}));
    const names = Aliases!.map((a) => a.AliasName);
    expect(names).toEqual([...names].sort());
    const s3 = Aliases!.find((a) => a.AliasName === 'alias/aws/s3')!;
    expect(s3.TargetKeyId).toBe(byAlias(STANDARD.managementAccountId, 'us-east-1', 'alias/aws/s3').keyId);
    expect(s3.AliasArn).toBe(`arn:aws:kms:us-east-1:${STANDARD.managementAccountId}:alias/aws/s3`);
    expect(s3.CreationDate).toBeInstanceOf(Date);
    // A predefined AWS alias that points at no key yet.
    const dynamo = Aliases!.find((a) => a.AliasName === 'alias/aws/dynamodb')!;
    expect(dynamo.TargetKeyId).toBeUndefined();
    const key = byAlias(PROD, 'us-east-1', 'alias/core-db');
    const filtered = await kms(PROD).send(new ListAliasesCommand({ KeyId: key.keyId }));
    expect(filtered.Aliases!.map((a) => a.AliasName)).toEqual(['alias/core-db']);
  });
});

describe('DescribeKey', () => {
  test('a customer symmetric key, named by id, ARN, alias and alias ARN', async () => {
    const key = byAlias(PROD, 'us-east-1', 'alias/core-db');
    const md = (await kms(PROD).send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata!;
    expect(md).toMatchObject({
      KeyId: key.keyId, Arn: key.arn, AWSAccountId: PROD, KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS', KeyState: 'Enabled',
      Enabled: true, MultiRegion: false, EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    });
    expect(md.CreationDate).toBeInstanceOf(Date);
    expect(md.CustomKeyStoreId).toBeUndefined();
    for (const ref of [key.arn, 'alias/core-db', `arn:aws:kms:us-east-1:${PROD}:alias/core-db`]) {
      expect((await kms(PROD).send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata!.KeyId).toBe(key.keyId);
    }
  });

  test('unknown keys and aliases are NotFoundException', async () => {
    expect((await errorOf(kms(PROD).send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })))).name).toBe('NotFoundException');
    expect((await errorOf(kms(PROD).send(new DescribeKeyCommand({ KeyId: 'alias/nope' })))).name).toBe('NotFoundException');
    expect((await errorOf(kms(PROD).send(new DescribeKeyCommand({ KeyId: 'garbage' })))).name).toBe('NotFoundException');
    const key = byAlias(PROD, 'us-east-1', 'alias/core-db');
    // The key exists, but in another Region than the request's.
    expect((await errorOf(kms(PROD, 'eu-west-1').send(new DescribeKeyCommand({ KeyId: key.keyId })))).name).toBe('NotFoundException');
  });

  test.each([
    ['asymmetric RSA', PROD, 'us-east-1', 'alias/core-rsa', { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
    ['asymmetric ECC', PROD, 'eu-west-1', 'alias/core-ecc', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['HMAC', PROD, 'eu-west-1', 'alias/core-hmac', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', MacAlgorithms: ['HMAC_SHA_256'] }],
    ['imported material', DATA, 'us-east-1', 'alias/data-byok', { Origin: 'EXTERNAL', KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }],
    ['CloudHSM key store', DATA, 'us-east-1', 'alias/data-hsm', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: expect.stringMatching(/^cks-/), CloudHsmClusterId: expect.stringMatching(/^cluster-/) }],
    ['external key store', DATA, 'eu-west-1', 'alias/data-xks', { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: expect.stringMatching(/^cks-/), XksKeyConfiguration: { Id: expect.any(String) } }],
    ['disabled', DATA, 'eu-west-1', 'alias/data-old', { KeyState: 'Disabled', Enabled: false }],
    ['AWS managed', PROD, 'us-east-1', 'alias/aws/ebs', { KeyManager: 'AWS', KeySpec: 'SYMMETRIC_DEFAULT', Description: 'Default key that protects my ebs resources when no other key is defined' }],
  ])('%s', async (_kind, account, region, alias, expected) => {
    const md = (await kms(account, region).send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!;
    expect(md).toMatchObject(expected);
  });

  test('pending deletion and pending import', async () => {
    const deleting = find(DATA, 'ap-southeast-2', (k) => k.keyState === 'PendingDeletion');
    const md = (await kms(DATA, 'ap-southeast-2').send(new DescribeKeyCommand({ KeyId: deleting.keyId }))).KeyMetadata!;
    expect(md).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, PendingDeletionWindowInDays: 30 });
    expect(md.DeletionDate!.getTime()).toBeGreaterThan(Date.now());
    const importing = find(DATA, 'us-east-1', (k) => k.keyState === 'PendingImport');
    const md2 = (await kms(DATA).send(new DescribeKeyCommand({ KeyId: importing.keyId }))).KeyMetadata!;
    expect(md2).toMatchObject({ KeyState: 'PendingImport', Origin: 'EXTERNAL', Enabled: false });
    expect(md2.ExpirationModel).toBeUndefined();
  });

  test('multi-Region primary and its replicas', async () => {
    const primary = byAlias(PROD, 'us-east-1', 'alias/core-global');
    expect(primary.keyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    const md = (await kms(PROD).send(new DescribeKeyCommand({ KeyId: primary.keyId }))).KeyMetadata!;
    expect(md.MultiRegion).toBe(true);
    expect(md.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: primary.arn, Region: 'us-east-1' },
      ReplicaKeys: [
        { Arn: `arn:aws:kms:eu-west-1:${PROD}:key/${primary.keyId}`, Region: 'eu-west-1' },
        { Arn: `arn:aws:kms:ap-southeast-2:${PROD}:key/${primary.keyId}`, Region: 'ap-southeast-2' },
      ],
    });
    const replica = (await kms(PROD, 'eu-west-1').send(new DescribeKeyCommand({ KeyId: primary.keyId }))).KeyMetadata!;
    expect(replica.Arn).toBe(`arn:aws:kms:eu-west-1:${PROD}:key/${primary.keyId}`);
    expect(replica.MultiRegionConfiguration?.MultiRegionKeyType).toBe('REPLICA');
    expect(replica.MultiRegionConfiguration?.PrimaryKey).toEqual({ Arn: primary.arn, Region: 'us-east-1' });
  });

  test('UpdatePrimaryRegion: the replica becomes the primary with the key set\'s rotation; refused on a replica, a single-Region key, a Region without a replica', async () => {
    const key = sim.createKey(STAGING, 'us-east-1', { kind: 'multi-region-primary', replicaRegions: ['eu-west-1', 'ap-southeast-2'] });
    sim.setRotation(STAGING, 'us-east-1', key.keyId, true, 200);
    expect((await errorOf(kms(STAGING, 'eu-west-1').send(new UpdatePrimaryRegionCommand({ KeyId: key.keyId, PrimaryRegion: 'ap-southeast-2' })))).name).toBe('UnsupportedOperationException');
    const single = find(STAGING, 'us-east-1', (k) => !k.metadata.MultiRegion && k.keyManager === 'CUSTOMER');
    expect((await errorOf(kms(STAGING).send(new UpdatePrimaryRegionCommand({ KeyId: single.keyId, PrimaryRegion: 'eu-west-1' })))).name).toBe('UnsupportedOperationException');
    expect((await errorOf(kms(STAGING).send(new UpdatePrimaryRegionCommand({ KeyId: key.keyId, PrimaryRegion: 'us-west-1' })))).name).toBe('NotFoundException');

    const trailBefore = sim.cloudTrailEvents().length;
    await kms(STAGING).send(new UpdatePrimaryRegionCommand({ KeyId: key.keyId, PrimaryRegion: 'eu-west-1' }));
    const md = (await kms(STAGING, 'eu-west-1').send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata!;
    const newArn = `arn:aws:kms:eu-west-1:${STAGING}:key/${key.keyId}`;
    expect(md.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: newArn, Region: 'eu-west-1' },
      ReplicaKeys: expect.arrayContaining([{ Arn: key.arn, Region: 'us-east-1' }, { Arn: `arn:aws:kms:ap-southeast-2:${STAGING}:key/${key.keyId}`, Region: 'ap-southeast-2' }]),
    });
    expect((await kms(STAGING, 'ap-southeast-2').send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata!.MultiRegionConfiguration?.PrimaryKey?.Region).toBe('eu-west-1');
    expect(await kms(STAGING, 'eu-west-1').send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 200 });
    // The old primary is a replica now: rotation is set in eu-west-1.
    expect((await errorOf(kms(STAGING).send(new EnableKeyRotationCommand({ KeyId: key.keyId })))).name).toBe('UnsupportedOperationException');

    // CloudTrail logs the call in both Regions, each entry naming the key there.
    const entries = sim.cloudTrailEvents().slice(trailBefore).map((e) => e.detail as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    const moves = entries.filter((d) => d.eventName === 'UpdatePrimaryRegion' && !d.errorCode);
    expect(moves.map((d) => [d.awsRegion, d.resources[0].ARN, d.responseElements.keyId, d.requestParameters.primaryRegion])).toEqual([
      ['us-east-1', key.arn, key.arn, 'eu-west-1'],
      ['eu-west-1', newArn, newArn, 'eu-west-1'],
    ]);
    expect(new Set(moves.map((d) => d.eventID)).size).toBe(2);
  });
});

describe('rotation', () => {
  test('GetKeyRotationStatus: on with a period, off, AWS managed always on', async () => {
    const on = byAlias(PROD, 'us-east-1', 'alias/core-db');
    const status = await kms(PROD).send(new GetKeyRotationStatusCommand({ KeyId: on.keyId }));
    expect(status.KeyRotationEnabled).toBe(true);
    expect(status.KeyId).toBe(on.arn);
    expect(status.RotationPeriodInDays).toBe(180);
    expect(status.NextRotationDate!.getTime()).toBeGreaterThan(Date.now());
    const off = await kms(PROD).send(new GetKeyRotationStatusCommand({ KeyId: byAlias(PROD, 'us-east-1', 'alias/core-queue').keyId }));
    expect(off.KeyRotationEnabled).toBe(false);
    expect(off.RotationPeriodInDays).toBeUndefined();
    const aws = await kms(PROD).send(new GetKeyRotationStatusCommand({ KeyId: byAlias(PROD, 'us-east-1', 'alias/aws/ebs').keyId }));
    expect(aws).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
  });

  test('GetKeyRotationStatus works on disabled keys and says false while a key is pending deletion', async () => {
    const disabled = byAlias(DATA, 'eu-west-1', 'alias/data-old');
    expect((await kms(DATA, 'eu-west-1').send(new GetKeyRotationStatusCommand({ KeyId: disabled.keyId }))).KeyRotationEnabled).toBe(false);
    const deleting = find(DATA, 'ap-southeast-2', (k) => k.keyState === 'PendingDeletion');
    expect((await kms(DATA, 'ap-southeast-2').send(new GetKeyRotationStatusCommand({ KeyId: deleting.keyId }))).KeyRotationEnabled).toBe(false);
  });

  test.each([
    ['asymmetric', 'UnsupportedOperationException', PROD, 'us-east-1', 'alias/core-rsa'],
    ['HMAC', 'UnsupportedOperationException', PROD, 'eu-west-1', 'alias/core-hmac'],
    ['imported', 'UnsupportedOperationException', DATA, 'us-east-1', 'alias/data-byok'],
    ['CloudHSM', 'UnsupportedOperationException', DATA, 'us-east-1', 'alias/data-hsm'],
    ['external key store', 'UnsupportedOperationException', DATA, 'eu-west-1', 'alias/data-xks'],
  ])('GetKeyRotationStatus on %s keys is %s', async (_kind, error, account, region, alias) => {
    const key = byAlias(account, region, alias);
    expect((await errorOf(kms(account, region).send(new GetKeyRotationStatusCommand({ KeyId: key.keyId })))).name).toBe(error);
  });

  test('GetKeyRotationStatus on a key pending import is KMSInvalidStateException', async () => {
    const key = find(DATA, 'us-east-1', (k) => k.keyState === 'PendingImport');
    expect((await errorOf(kms(DATA).send(new GetKeyRotationStatusCommand({ KeyId: key.keyId })))).name).toBe('KMSInvalidStateException');
  });

  test('EnableKeyRotation turns rotation on (period default 365, or as given) and DisableKeyRotation off', async () => {
    const key = sim.createKey(PROD, 'us-east-1', { kind: 'not-rotating' });
    const client = kms(PROD);
    await client.send(new EnableKeyRotationCommand({ KeyId: key.keyId }));
    expect(await client.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    expect(sim.getKey(PROD, 'us-east-1', key.keyId)).toMatchObject({ rotationEnabled: true, rotationPeriodInDays: 365 });
    // Enabling again is a no-op; a new period replaces the old one.
    await client.send(new EnableKeyRotationCommand({ KeyId: key.arn }));
    await client.send(new EnableKeyRotationCommand({ KeyId: key.keyId, RotationPeriodInDays: 90 }));
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }));
    expect(status.RotationPeriodInDays).toBe(90);
    const days = (status.NextRotationDate!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);
    await client.send(new DisableKeyRotationCommand({ KeyId: key.keyId }));
    expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }))).KeyRotationEnabled).toBe(false);
  });

  test('RotationPeriodInDays outside 90-2560 is ValidationException', async () => {
    const key = byAlias(PROD, 'us-east-1', 'alias/core-queue');
    for (const days of [89, 2561]) {
      const e = await errorOf(kms(PROD).send(new EnableKeyRotationCommand({ KeyId: key.keyId, RotationPeriodInDays: days })));
      expect(e.name).toBe('ValidationException');
      expect(e.message).toContain('rotationPeriodInDays');
    }
    expect(sim.getKey(PROD, 'us-east-1', key.keyId)!.rotationEnabled).toBe(false);
  });

  test.each([
    ['disabled', 'DisabledException', DATA, 'eu-west-1', (k: KeyView) => k.aliases.includes('alias/data-old')],
    ['pending deletion', 'KMSInvalidStateException', DATA, 'ap-southeast-2', (k: KeyView) => k.keyState === 'PendingDeletion'],
    ['pending import', 'KMSInvalidStateException', DATA, 'us-east-1', (k: KeyView) => k.keyState === 'PendingImport'],
    ['imported', 'UnsupportedOperationException', DATA, 'us-east-1', (k: KeyView) => k.aliases.includes('alias/data-byok')],
    ['CloudHSM', 'UnsupportedOperationException', DATA, 'us-east-1', (k: KeyView) => k.aliases.includes('alias/data-hsm')],
    ['external key store', 'UnsupportedOperationException', DATA, 'eu-west-1', (k: KeyView) => k.aliases.includes('alias/data-xks')],
    ['asymmetric', 'UnsupportedOperationException', PROD, 'us-east-1', (k: KeyView) => k.aliases.includes('alias/core-rsa')],
    ['HMAC', 'UnsupportedOperationException', PROD, 'eu-west-1', (k: KeyView) => k.aliases.includes('alias/core-hmac')],
    ['AWS managed', 'AccessDeniedException', PROD, 'us-east-1', (k: KeyView) => k.aliases.includes('alias/aws/ebs')],
    ['multi-Region replica', 'UnsupportedOperationException', PROD, 'eu-west-1', (k: KeyView) => k.multiRegionKeyType === 'REPLICA'],
  ])('EnableKeyRotation on %s keys is %s, and changes nothing', async (_kind, error, account, region, pick) => {
    const key = find(account, region, pick);
    const before = sim.getKey(account, region, key.keyId)!.rotationEnabled;
    expect((await errorOf(kms(account, region).send(new EnableKeyRotationCommand({ KeyId: key.keyId })))).name).toBe(error);
    expect(sim.getKey(account, region, key.keyId)!.rotationEnabled).toBe(before);
  });

  test('rotation of a multi-Region key is set on the primary and shared by its replicas', async () => {
    const primary = byAlias(PROD, 'us-east-1', 'alias/core-global');
    const replicaStatus = () => kms(PROD, 'ap-southeast-2').send(new GetKeyRotationStatusCommand({ KeyId: primary.keyId }));
    expect((await replicaStatus()).KeyRotationEnabled).toBe(false);
    await kms(PROD).send(new EnableKeyRotationCommand({ KeyId: primary.keyId, RotationPeriodInDays: 730 }));
    const after = await replicaStatus();
    expect(after).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 730, KeyId: `arn:aws:kms:ap-southeast-2:${PROD}:key/${primary.keyId}` });
    expect(sim.getKey(PROD, 'eu-west-1', primary.keyId)!.rotationEnabled).toBe(true);
  });

  test('the test accessors change what the wire answers', async () => {
    const key = byAlias(PROD, 'us-east-1', 'alias/core-queue');
    sim.setRotation(PROD, 'us-east-1', key.keyId, true, 400);
    expect(await kms(PROD).send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 400 });
    sim.setRotation(PROD, 'us-east-1', key.keyId, false);
    sim.setKeyState(PROD, 'us-east-1', key.keyId, 'Disabled');
    expect((await errorOf(kms(PROD).send(new EnableKeyRotationCommand({ KeyId: key.keyId })))).name).toBe('DisabledException');
    sim.setKeyState(PROD, 'us-east-1', key.keyId, 'Enabled');
  });
});

describe('Regions', () => {
  test('an opt-in Region that the account has not enabled is UnrecognizedClientException', async () => {
    const e = await errorOf(kms(DATA, STANDARD.optInRegion).send(new ListKeysCommand({})));
    expect(e.name).toBe('UnrecognizedClientException');
    expect(e.message).toBe('The security token included in the request is invalid.');
    const keys = await kms(PROD, STANDARD.optInRegion).send(new ListKeysCommand({}));
    expect(keys.Keys).toHaveLength(1);
    // So is any Region outside the account's enabled ones.
    expect((await errorOf(kms(PROD, 'us-west-1').send(new ListKeysCommand({})))).name).toBe('UnrecognizedClientException');
  });
});

describe('creating and tagging', () => {
  test('CreateKey adds a key that the next ListKeys shows', async () => {
    const client = kms(STAGING, 'eu-west-1');
    const before = (await client.send(new ListKeysCommand({}))).Keys!.length;
    const created = await client.send(new CreateKeyCommand({ Description: 'new', Tags: [{ TagKey: 'owner', TagValue: 'alice' }] }));
    const md = created.KeyMetadata!;
    expect(md).toMatchObject({ KeyState: 'Enabled', KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT', Origin: 'AWS_KMS', Description: 'new', AWSAccountId: STAGING });
    expect(md.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const after = (await client.send(new ListKeysCommand({}))).Keys!;
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.KeyId).toBe(md.KeyId);
    expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: md.KeyId }))).KeyRotationEnabled).toBe(false);
    const rsa = await client.send(new CreateKeyCommand({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' }));
    expect(rsa.KeyMetadata).toMatchObject({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' });
    const external = await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
    expect(external.KeyMetadata).toMatchObject({ KeyState: 'PendingImport', Origin: 'EXTERNAL' });
    const mrk = await client.send(new CreateKeyCommand({ MultiRegion: true }));
    expect(mrk.KeyMetadata!.KeyId).toMatch(/^mrk-/);
    expect((await errorOf(client.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' })))).name).toBe('ValidationException');
  });

  test('the createKey accessor takes the scenario\'s key kinds', () => {
    const key = sim.createKey(STAGING, 'us-east-1', { kind: 'hmac', alias: 'alias/new-hmac' });
    expect(key).toMatchObject({ keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', aliases: ['alias/new-hmac'], rotationEnabled: false });
    expect(() => sim.createKey(STAGING, 'us-east-1', { alias: 'alias/new-hmac' })).toThrow(/already exists/);
    expect(() => sim.createKey(STAGING, 'us-west-1', {})).toThrow(/not enabled/);
  });

  test('TagResource and ListResourceTags with Limit pagination', async () => {
    const key = byAlias(STAGING, 'us-east-1', 'alias/staging-app');
    const client = kms(STAGING);
    await client.send(new TagResourceCommand({ KeyId: key.keyId, Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'b', TagValue: '2' }, { TagKey: 'c', TagValue: '3' }] }));
    const first = await client.send(new ListResourceTagsCommand({ KeyId: key.keyId, Limit: 2 }));
    expect(first.Tags).toEqual([{ TagKey: 'a', TagValue: '1' }, { TagKey: 'b', TagValue: '2' }]);
    expect(first.Truncated).toBe(true);
    const second = await client.send(new ListResourceTagsCommand({ KeyId: key.keyId, Limit: 2, Marker: first.NextMarker }));
    expect(second).toMatchObject({ Tags: [{ TagKey: 'c', TagValue: '3' }], Truncated: false });
    expect(sim.getKey(STAGING, 'us-east-1', key.keyId)!.tags).toEqual({ a: '1', b: '2', c: '3' });
  });
});
