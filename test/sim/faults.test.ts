// Load and faults of the simulated organization, seen through the real SDK clients: throttling at
// quotas (and the SDK's retries getting through), the seeded throttling storm, per-account
// faults, and the call counters tests use to bound API calls.
import {
  DescribeKeyCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand, ListAliasesCommand, ListKeysCommand,
} from '@aws-sdk/client-kms';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { loadScenario, startSimulator, type SimulatedOrganization, type SimulatorOptions } from '../../local/sim';
import { standardScenarioPath, STANDARD } from '../scenarios';
import { ec2Client, errorOf, kmsClient, orgClient } from './helpers';

const MGMT = STANDARD.managementAccountId;

async function withSim<T>(opts: Omit<SimulatorOptions, 'scenario'> & { scenario?: SimulatorOptions['scenario'] }, body: (sim: SimulatedOrganization) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ scenario: standardScenarioPath, ...opts });
  try {
    return await body(sim);
  } finally {
    await sim.close();
  }
}

function notRotatingKey(sim: SimulatedOrganization, accountId = MGMT, region = 'us-east-1') {
  return sim.listKeys(accountId, region).find((k) => k.keyManager === 'CUSTOMER' && k.keyState === 'Enabled' && !k.rotationEnabled && k.keySpec === 'SYMMETRIC_DEFAULT' && k.origin === 'AWS_KMS')!;
}

describe('throttling at quotas', () => {
  test('a token bucket per account + Region + operation, refilled with time', async () => {
    let now = new Date('2025-05-01T00:00:00Z');
    await withSim({ quotas: { ListKeys: 2 }, clock: () => now }, async (sim) => {
      const kms = kmsClient(sim);
      await kms.send(new ListKeysCommand({}));
      await kms.send(new ListKeysCommand({}));
      const e = await errorOf(kms.send(new ListKeysCommand({})));
      expect(e.name).toBe('ThrottlingException');
      expect(e.message).toBe('Rate exceeded');
      // Other operations, and other Regions, have buckets of their own.
      await kms.send(new ListAliasesCommand({}));
      await kmsClient(sim, { region: 'eu-west-1' }).send(new ListKeysCommand({}));
      now = new Date(now.getTime() + 500);
      await kms.send(new ListKeysCommand({}));
      expect((await errorOf(kms.send(new ListKeysCommand({})))).name).toBe('ThrottlingException');
      expect(sim.callCounts({ accountId: MGMT, region: 'us-east-1', operation: 'ListKeys' })).toEqual([
        { accountId: MGMT, region: 'us-east-1', service: 'kms', operation: 'ListKeys', calls: 5, succeeded: 3, errors: { ThrottlingException: 2 } },
      ]);
    });
  });

  test('the real KMS quotas are the defaults; EnableKeyRotation is 15/s', async () => {
    const now = new Date('2025-05-01T00:00:00Z');
    await withSim({ clock: () => now }, async (sim) => {
      const key = notRotatingKey(sim);
      const kms = kmsClient(sim);
      const outcomes = await Promise.all(Array.from({ length: 20 }, () =>
        kms.send(new EnableKeyRotationCommand({ KeyId: key.keyId })).then(() => 'ok', (e: Error) => e.name)));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(15);
      expect(outcomes.filter((o) => o === 'ThrottlingException')).toHaveLength(5);
    });
  });

  test('the SDK\'s own retries get through a low quota', async () => {
    await withSim({ quotas: { DescribeKey: 20 } }, async (sim) => {
      const key = notRotatingKey(sim);
      const kms = kmsClient(sim, { maxAttempts: 10 });
      const results = await Promise.all(Array.from({ length: 40 }, () => kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))));
      expect(results.every((r) => r.KeyMetadata?.KeyId === key.keyId)).toBe(true);
      const [count] = sim.callCounts({ operation: 'DescribeKey' });
      expect(count.succeeded).toBe(40);
      expect(count.errors.ThrottlingException).toBeGreaterThan(0);
      expect(count.calls).toBe(40 + count.errors.ThrottlingException);
    });
  });

  test('quotas: false turns throttling off; other services throttle in their own error shapes', async () => {
    const now = new Date('2025-05-01T00:00:00Z');
    await withSim({ quotas: false, clock: () => now }, async (sim) => {
      const key = notRotatingKey(sim);
      const kms = kmsClient(sim);
      const outcomes = await Promise.all(Array.from({ length: 30 }, () => kms.send(new EnableKeyRotationCommand({ KeyId: key.keyId })).then(() => 'ok')));
      expect(outcomes.every((o) => o === 'ok')).toBe(true);
      sim.setQuotas({ ListAccounts: 1, DescribeRegions: 1 });
      await orgClient(sim).send(new ListAccountsCommand({}));
      expect((await errorOf(orgClient(sim).send(new ListAccountsCommand({})))).name).toBe('TooManyRequestsException');
      await ec2Client(sim).send(new DescribeRegionsCommand({}));
      expect((await errorOf(ec2Client(sim).send(new DescribeRegionsCommand({})))).name).toBe('RequestLimitExceeded');
    });
  });
});

describe('throttling storm', () => {
  async function stormOutcomes(seed: number): Promise<string[]> {
    return withSim({ quotas: false, throttleFraction: 0.5, seed }, async (sim) => {
      const kms = kmsClient(sim);
      const out: string[] = [];
      for (let i = 0; i < 100; i++) out.push(await kms.send(new ListKeysCommand({ Limit: 1 })).then(() => 'ok', (e: Error) => e.name));
      // The storm is for KMS only.
      await orgClient(sim).send(new ListAccountsCommand({}));
      return out;
    });
  }

  test('about the given fraction of KMS calls are throttled, reproducibly for a seed', async () => {
    const a = await stormOutcomes(7);
    const throttled = a.filter((o) => o === 'ThrottlingException').length;
    expect(throttled).toBeGreaterThan(30);
    expect(throttled).toBeLessThan(70);
    expect(a.filter((o) => o !== 'ok' && o !== 'ThrottlingException')).toEqual([]);
    expect(await stormOutcomes(7)).toEqual(a);
    expect(await stormOutcomes(8)).not.toEqual(a);
  });

  test('the SDK retries through a storm', async () => {
    await withSim({ throttleFraction: 0.3, seed: 3 }, async (sim) => {
      const kms = kmsClient(sim, { maxAttempts: 10 });
      const keys = await Promise.all(Array.from({ length: 4 }, () => kms.send(new ListKeysCommand({}))));
      expect(keys.every((k) => k.Keys!.length === 2)).toBe(true);
      const [count] = sim.callCounts({ operation: 'ListKeys' });
      expect(count.succeeded).toBe(4);
      expect(count.calls).toBe(4 + (count.errors.ThrottlingException ?? 0));
      sim.setThrottleFraction(1);
      expect((await errorOf(kmsClient(sim).send(new ListKeysCommand({})))).name).toBe('ThrottlingException');
      expect(() => sim.setThrottleFraction(2)).toThrow(/between 0 and 1/);
    });
  });
});

describe('faults', () => {
  test('EnableKeyRotation fails in one account with the error given; other accounts are unaffected', async () => {
    await withSim({ faults: [{ type: 'enable-rotation-error', accountId: MGMT, error: 'AccessDeniedException' }] }, async (sim) => {
      const key = notRotatingKey(sim);
      const e = await errorOf(kmsClient(sim).send(new EnableKeyRotationCommand({ KeyId: key.keyId })));
      expect(e.name).toBe('AccessDeniedException');
      expect(sim.getKey(MGMT, 'us-east-1', key.keyId)!.rotationEnabled).toBe(false);
      // Reads in the same account still work.
      await kmsClient(sim).send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }));
    });
  });

  test('KMSInternalException is a 500 that the SDK retries; `times` limits a fault to its first calls', async () => {
    await withSim({ faults: [{ type: 'enable-rotation-error', accountId: MGMT }] }, async (sim) => {
      const key = notRotatingKey(sim);
      const e = await errorOf(kmsClient(sim, { maxAttempts: 2 }).send(new EnableKeyRotationCommand({ KeyId: key.keyId })));
      expect(e.name).toBe('KMSInternalException');
      expect(e.$metadata?.httpStatusCode).toBe(500);
      expect(sim.totalCalls({ operation: 'EnableKeyRotation' })).toBe(2);
      sim.setFaults([{ type: 'enable-rotation-error', accountId: MGMT, keyId: key.keyId, times: 1 }]);
      await kmsClient(sim, { maxAttempts: 3 }).send(new EnableKeyRotationCommand({ KeyId: key.arn }));
      expect(sim.getKey(MGMT, 'us-east-1', key.keyId)!.rotationEnabled).toBe(true);
      expect(sim.callCounts({ operation: 'EnableKeyRotation' })[0].errors).toEqual({ KMSInternalException: 3 });
    });
  });

  test('EnableKeyRotation answers success but rotation stays off', async () => {
    await withSim({ faults: [{ type: 'enable-rotation-ignored', accountId: MGMT, region: 'us-east-1' }] }, async (sim) => {
      const key = notRotatingKey(sim);
      const kms = kmsClient(sim);
      await kms.send(new EnableKeyRotationCommand({ KeyId: key.keyId }));
      expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }))).KeyRotationEnabled).toBe(false);
      sim.clearFaults();
      await kms.send(new EnableKeyRotationCommand({ KeyId: key.keyId }));
      expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }))).KeyRotationEnabled).toBe(true);
    });
  });

  test('a failing Region answers InternalFailure (500) to every KMS call there, and only there', async () => {
    await withSim({ faults: [{ type: 'region-failure', accountId: MGMT, region: 'eu-west-1' }] }, async (sim) => {
      const e = await errorOf(kmsClient(sim, { region: 'eu-west-1' }).send(new ListKeysCommand({})));
      expect(e.name).toBe('InternalFailure');
      expect(e.$metadata?.httpStatusCode).toBe(500);
      expect((await kmsClient(sim).send(new ListKeysCommand({}))).Keys!.length).toBeGreaterThan(0);
      await ec2Client(sim, { region: 'eu-west-1' }).send(new DescribeRegionsCommand({}));
    });
  });

  test('faults can come from the scenario file, and any operation can be made to fail', async () => {
    const scenario = loadScenario(standardScenarioPath);
    scenario.faults.push({ type: 'operation-error', service: 'organizations', operation: 'ListAccounts', error: 'ServiceException', status: 500 });
    await withSim({ scenario, faults: [{ type: 'operation-error', accountId: MGMT, operation: 'DescribeKey', error: 'DependencyTimeoutException' }] }, async (sim) => {
      const org = await errorOf(orgClient(sim).send(new ListAccountsCommand({})));
      expect(org.name).toBe('ServiceException');
      const key = notRotatingKey(sim);
      const d = await errorOf(kmsClient(sim).send(new DescribeKeyCommand({ KeyId: key.keyId })));
      expect(d.name).toBe('DependencyTimeoutException');
      expect(d.$metadata?.httpStatusCode).toBe(503);
    });
  });

  test('bad faults are refused with the field named', async () => {
    await expect(startSimulator({ scenario: standardScenarioPath, faults: [{ type: 'region-failure', accountId: MGMT } as never] }))
      .rejects.toThrow('faults[0].region: is required');
  });
});

describe('latency and call counts', () => {
  test('calls are counted per account, Region, service, operation, and per key', async () => {
    await withSim({ latencyMs: 5 }, async (sim) => {
      const key = notRotatingKey(sim);
      const kms = kmsClient(sim);
      await kms.send(new DescribeKeyCommand({ KeyId: key.arn }));
      await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }));
      await kms.send(new ListKeysCommand({}));
      expect(sim.keyCallCounts({ keyId: key.keyId })).toEqual([
        { accountId: MGMT, region: 'us-east-1', keyId: key.keyId, operation: 'DescribeKey', calls: 1, succeeded: 1 },
        { accountId: MGMT, region: 'us-east-1', keyId: key.keyId, operation: 'GetKeyRotationStatus', calls: 1, succeeded: 1 },
      ]);
      expect(sim.totalCalls({ accountId: MGMT, service: 'kms' })).toBe(3);
      expect(sim.totalCalls({ service: 'sts' })).toBe(0);
      sim.resetCallCounts();
      expect(sim.callCounts()).toEqual([]);
    });
  });
});
