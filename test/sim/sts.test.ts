// STS of the simulated organization through the real SDK client: AssumeRole (role present, role
// missing, ExternalId), GetCallerIdentity, and what issued credentials may see.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListKeysCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { loadScenario, startSimulator, type SimulatedOrganization } from '../../local/sim';
import { standardScenarioPath, STANDARD } from '../scenarios';
import { assume, errorOf, kmsClient, orgClient, stsClient } from './helpers';

let sim: SimulatedOrganization;
beforeAll(async () => {
  const scenario = loadScenario(standardScenarioPath);
  // One member role that needs an ExternalId, and one that trusts another member account.
  scenario.accounts.find((a) => a.id === '100000000004')!.roles.push({ name: 'ExternalRole', externalId: 'ext-123', trustedAccounts: [STANDARD.managementAccountId] });
  scenario.accounts.find((a) => a.id === '100000000005')!.roles.push({ name: 'CrossRole', trustedAccounts: ['100000000004'] });
  sim = await startSimulator({ scenario });
});
afterAll(() => sim.close());

test('GetCallerIdentity names the management user for the management key', async () => {
  const out = await stsClient(sim).send(new GetCallerIdentityCommand({}));
  expect(out.Account).toBe(STANDARD.managementAccountId);
  expect(out.Arn).toBe(`arn:aws:iam::${STANDARD.managementAccountId}:user/rotor-admin`);
  expect(out.UserId).toMatch(/^AIDA/);
});

test('AssumeRole returns fresh ASIA credentials mapped to the member account and role', async () => {
  const out = await stsClient(sim).send(new AssumeRoleCommand({
    RoleArn: 'arn:aws:iam::100000000002:role/KmsRotorScanRole', RoleSessionName: 'scan-1', DurationSeconds: 900,
  }));
  expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
  expect(out.Credentials?.SecretAccessKey).toHaveLength(40);
  expect(out.Credentials?.SessionToken).toBeTruthy();
  expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
  expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::100000000002:assumed-role/KmsRotorScanRole/scan-1');
  expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]+:scan-1$/);

  const creds = {
    accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken!,
  };
  const who = await stsClient(sim, { credentials: creds }).send(new GetCallerIdentityCommand({}));
  expect(who.Account).toBe('100000000002');
  expect(who.Arn).toBe('arn:aws:sts::100000000002:assumed-role/KmsRotorScanRole/scan-1');
  // Issued twice, the credentials differ.
  const again = await assume(sim, '100000000002');
  expect(again.accessKeyId).not.toBe(creds.accessKeyId);
  expect(sim.sessions().filter((s) => s.accountId === '100000000002').length).toBeGreaterThanOrEqual(2);
});

test('AssumeRole into an account without the role is AccessDenied', async () => {
  const e = await errorOf(assume(sim, STANDARD.memberWithoutRole));
  expect(e.name).toBe('AccessDenied');
  expect(e.message).toBe(`User: arn:aws:iam::${STANDARD.managementAccountId}:user/rotor-admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${STANDARD.memberWithoutRole}:role/KmsRotorScanRole`);
  expect(e.$metadata?.httpStatusCode).toBe(403);
});

test('AssumeRole into an account that is not in the organization, or suspended, is AccessDenied', async () => {
  expect((await errorOf(assume(sim, '999999999999'))).name).toBe('AccessDenied');
  expect((await errorOf(assume(sim, STANDARD.suspendedAccount))).name).toBe('AccessDenied');
});

test('ExternalId must match when the role requires one', async () => {
  expect((await errorOf(assume(sim, '100000000004', 'ExternalRole'))).name).toBe('AccessDenied');
  expect((await errorOf(assume(sim, '100000000004', 'ExternalRole', 'wrong'))).name).toBe('AccessDenied');
  const ok = await assume(sim, '100000000004', 'ExternalRole', 'ext-123');
  expect(ok.accessKeyId).toMatch(/^ASIA/);
  // A role without an ExternalId condition ignores one that is passed.
  expect((await assume(sim, '100000000004', 'KmsRotorScanRole', 'anything')).accessKeyId).toMatch(/^ASIA/);
});

test('trust: only the management account, or the accounts a role lists', async () => {
  const fromStaging = await assume(sim, '100000000004');
  const sts = stsClient(sim, { credentials: fromStaging });
  const cross = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::100000000005:role/CrossRole', RoleSessionName: 'chain' }));
  expect(cross.AssumedRoleUser?.Arn).toBe('arn:aws:sts::100000000005:assumed-role/CrossRole/chain');
  const denied = await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::100000000005:role/KmsRotorScanRole', RoleSessionName: 'chain' })));
  expect(denied.name).toBe('AccessDenied');
  expect(denied.message).toContain('arn:aws:sts::100000000004:assumed-role/KmsRotorScanRole/sim-test');
});

test('bad AssumeRole input is a ValidationError', async () => {
  const sts = stsClient(sim);
  expect((await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: 'not-an-arn', RoleSessionName: 'x1' })))).name).toBe('ValidationError');
  expect((await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::100000000002:role/KmsRotorScanRole', RoleSessionName: 'bad name' })))).name).toBe('ValidationError');
  expect((await errorOf(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::100000000002:role/KmsRotorScanRole', RoleSessionName: 'ok', DurationSeconds: 60 })))).name).toBe('ValidationError');
});

test('assumed credentials see only their own account\'s keys, and cannot call Organizations', async () => {
  const creds = await assume(sim, '100000000005');
  const kms = kmsClient(sim, { credentials: creds, region: 'us-east-1' });
  const keys = (await kms.send(new ListKeysCommand({}))).Keys!;
  expect(keys.map((k) => k.KeyArn)).toEqual(sim.listKeys('100000000005', 'us-east-1').map((k) => k.arn));
  expect(keys.every((k) => k.KeyArn!.includes(':100000000005:'))).toBe(true);

  const other = sim.listKeys('100000000002', 'us-east-1')[0];
  expect((await errorOf(kms.send(new DescribeKeyCommand({ KeyId: other.keyId })))).name).toBe('NotFoundException');
  const byArn = await errorOf(kms.send(new DescribeKeyCommand({ KeyId: other.arn })));
  expect(byArn.name).toBe('AccessDeniedException');

  const denied = await errorOf(orgClient(sim, { credentials: creds }).send(new ListAccountsCommand({})));
  expect(denied.name).toBe('AccessDeniedException');
});

test('a session token that does not match, or an unknown ASIA key, is rejected', async () => {
  const creds = await assume(sim, '100000000005');
  const wrongToken = await errorOf(kmsClient(sim, { credentials: { ...creds, sessionToken: 'forged' } }).send(new ListKeysCommand({})));
  expect(wrongToken.name).toBe('UnrecognizedClientException');
  const unknown = await errorOf(stsClient(sim, { credentials: { accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x', sessionToken: 't' } })
    .send(new GetCallerIdentityCommand({})));
  expect(unknown.name).toBe('InvalidClientTokenId');
});

test('temporary credentials expire', async () => {
  let now = new Date('2025-03-01T00:00:00Z');
  const timed = await startSimulator({ scenario: standardScenarioPath, clock: () => now });
  try {
    const creds = await assume(timed, '100000000005');
    const kms = kmsClient(timed, { credentials: creds });
    await kms.send(new ListKeysCommand({}));
    now = new Date(now.getTime() + 3601_000);
    expect((await errorOf(kms.send(new ListKeysCommand({})))).name).toBe('ExpiredTokenException');
  } finally {
    await timed.close();
  }
});

test('setRoles adds or removes a member role at run time', async () => {
  expect(sim.accounts().find((a) => a.id === STANDARD.memberWithoutRole)!.roles).toEqual([]);
  sim.setRoles(STANDARD.memberWithoutRole, [{ name: 'KmsRotorScanRole', externalId: 'late' }]);
  expect((await errorOf(assume(sim, STANDARD.memberWithoutRole))).name).toBe('AccessDenied');
  expect((await assume(sim, STANDARD.memberWithoutRole, 'KmsRotorScanRole', 'late')).accessKeyId).toMatch(/^ASIA/);
  sim.setRoles(STANDARD.memberWithoutRole, []);
  expect((await errorOf(assume(sim, STANDARD.memberWithoutRole, 'KmsRotorScanRole', 'late'))).name).toBe('AccessDenied');
});
