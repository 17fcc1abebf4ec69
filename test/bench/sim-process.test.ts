// The scan benchmark's simulated organization in a process of its own: it starts, answers AWS calls
// on its port as the in-process simulator does, reports its call counts and CPU over IPC, and
// is gone, port and process, once closed.
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { startSimulatorProcess } from '../../bench/sim-process';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
};

test('the simulator process serves the organization it was given, counts its calls, and stops when closed', async () => {
  const sim = await startSimulatorProcess({ scenario: { accounts: 3, keysPerAccount: 6, regions: ['us-east-1', 'eu-west-1'] }, latencyMs: 0 });
  const clientOptions = { endpoint: sim.endpoint, region: 'us-east-1', credentials: sim.managementCredentials, maxAttempts: 1 };
  const organizations = new OrganizationsClient(clientOptions);
  const kms = new KMSClient(clientOptions);
  try {
    expect(sim.pid).not.toBe(process.pid);
    expect(alive(sim.pid)).toBe(true);
    const { Accounts } = await organizations.send(new ListAccountsCommand({}));
    expect(Accounts).toHaveLength(3);
    // The management account's keys in us-east-1: every other one of its six.
    const { Keys } = await kms.send(new ListKeysCommand({}));
    expect(Keys).toHaveLength(3);
    const counts = await sim.callCounts();
    const calls = (operation: string) => counts.filter((c) => c.operation === operation).reduce((n, c) => n + c.calls, 0);
    expect([calls('ListAccounts'), calls('ListKeys')]).toEqual([1, 1]);
    const cpu = await sim.cpuUsage();
    expect(cpu.user + cpu.system).toBeGreaterThan(0);
  } finally {
    organizations.destroy();
    kms.destroy();
    await sim.close();
  }
  expect(alive(sim.pid)).toBe(false);
  await expect(fetch(sim.endpoint)).rejects.toThrow();
});
