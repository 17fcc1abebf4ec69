// Conformance of the simulator's wire shapes with moto, an independent AWS emulator: for the same
// SDK calls, every field moto's answer carries is in the simulator's answer too (moto is looser
// about rules, so only shapes are compared). Skipped when moto is not installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand, ListKeysCommand, CreateAliasCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateOrganizationCommand, DescribeOrganizationCommand, ListAccountsCommand, ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { standardScenarioPath } from '../scenarios';

const hasMoto = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
const describeWithMoto = hasMoto ? describe : describe.skip;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitForHttp(url: string, deadlineMs: number): Promise<void> {
  for (let i = 0; i * 100 < deadlineMs; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`moto did not start on ${url}`);
}

/** Paths of the fields of an SDK answer (arrays by their first element; empty arrays and $metadata left out). */
function fieldPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length ? fieldPaths(value[0], `${prefix}[]`) : [];
  if (value === null || typeof value !== 'object' || value instanceof Date) return prefix ? [prefix] : [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (k === '$metadata' || v === undefined ? [] : fieldPaths(v, prefix ? `${prefix}.${k}` : k)));
}

describeWithMoto('wire shapes match moto', () => {
  let moto: ChildProcess;
  let motoEndpoint: string;
  let sim: SimulatedOrganization;

  beforeAll(async () => {
    const port = await freePort();
    motoEndpoint = `http://127.0.0.1:${port}`;
    moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    sim = await startSimulator({ scenario: standardScenarioPath });
    await waitForHttp(motoEndpoint, 20_000);
  }, 30_000);

  afterAll(async () => {
    moto?.kill();
    await sim?.close();
  });

  const config = (endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }) =>
    ({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  const both = () => [
    config(motoEndpoint, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' }),
    config(sim.endpoint, sim.managementCredentials),
  ] as const;

  function expectCovers(simAnswer: unknown, motoAnswer: unknown): void {
    const motoFields = fieldPaths(motoAnswer);
    expect(motoFields.length).toBeGreaterThan(0);
    const missing = motoFields.filter((p) => !fieldPaths(simAnswer).includes(p));
    expect(missing).toEqual([]);
  }

  test('KMS', async () => {
    const [m, s] = both().map((c) => new KMSClient(c));
    const answers = [];
    for (const kms of [m, s]) {
      const created = (await kms.send(new CreateKeyCommand({ Description: 'conformance', MultiRegion: true }))).KeyMetadata!;
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/conformance', TargetKeyId: created.KeyId }));
      await kms.send(new EnableKeyRotationCommand({ KeyId: created.KeyId, RotationPeriodInDays: 180 }));
      answers.push({
        created,
        described: await kms.send(new DescribeKeyCommand({ KeyId: created.KeyId })),
        rotation: await kms.send(new GetKeyRotationStatusCommand({ KeyId: created.KeyId })),
        keys: await kms.send(new ListKeysCommand({ Limit: 1 })),
        aliases: (await kms.send(new ListAliasesCommand({}))).Aliases!.find((a) => a.AliasName === 'alias/conformance'),
        notFound: await kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })).then(() => 'ok', (e: Error) => e.name),
      });
    }
    const [fromMoto, fromSim] = answers;
    for (const k of ['created', 'described', 'rotation', 'keys', 'aliases'] as const) expectCovers(fromSim[k], fromMoto[k]);
    expect(fromSim.notFound).toBe(fromMoto.notFound);
  });

  test('STS', async () => {
    const [m, s] = both().map((c) => new STSClient(c));
    const roleArn = (account: string) => `arn:aws:iam::${account}:role/KmsRotorScanRole`;
    expectCovers(
      await s.send(new AssumeRoleCommand({ RoleArn: roleArn('100000000002'), RoleSessionName: 'conformance' })),
      await m.send(new AssumeRoleCommand({ RoleArn: roleArn('123456789012'), RoleSessionName: 'conformance' })),
    );
    expectCovers(await s.send(new GetCallerIdentityCommand({})), await m.send(new GetCallerIdentityCommand({})));
  });

  test('EC2 DescribeRegions', async () => {
    const [m, s] = both().map((c) => new EC2Client(c));
    expectCovers(await s.send(new DescribeRegionsCommand({})), await m.send(new DescribeRegionsCommand({})));
  });

  test('Organizations', async () => {
    const [m, s] = both().map((c) => new OrganizationsClient(c));
    await m.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    expectCovers(await s.send(new ListAccountsCommand({})), await m.send(new ListAccountsCommand({})));
    expectCovers(await s.send(new ListRootsCommand({})), await m.send(new ListRootsCommand({})));
    expectCovers(await s.send(new DescribeOrganizationCommand({})), await m.send(new DescribeOrganizationCommand({})));
  });
});
