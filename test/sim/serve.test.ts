// serveSimulator (the body of `rotor simulate`): it prints how to point clients at the simulator,
// the printed settings work, and it resolves once stopped.
import { ListKeysCommand, KMSClient } from '@aws-sdk/client-kms';
import { demoScenarioPath, serveSimulator, type SimulatedOrganization } from '../../local/sim';

test('prints working client settings and stops on abort', async () => {
  const lines: string[] = [];
  const abort = new AbortController();
  let sim: SimulatedOrganization | undefined;
  const served = serveSimulator({ scenario: demoScenarioPath, signal: abort.signal, onReady: (s) => { sim = s; } }, (l) => lines.push(l));
  await new Promise<void>((resolve) => {
    const wait = () => (sim ? resolve() : setTimeout(wait, 5));
    wait();
  });
  const text = lines.join('\n');
  expect(text).toContain(`Simulated AWS organization "demo" (6 accounts,`);
  expect(text).toContain('aws kms list-keys');
  expect(text).toMatch(/666666666666 +sandbox-dev .*roles: no role/);
  const exportLine = lines.find((l) => l.trim().startsWith('export '))!;
  const env = Object.fromEntries(exportLine.trim().slice('export '.length).split(' ').map((kv) => kv.split('=') as [string, string]));
  expect(env.AWS_ENDPOINT_URL).toBe(sim!.endpoint);

  const kms = new KMSClient({
    endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const keys = await kms.send(new ListKeysCommand({}));
  expect(keys.Keys!.length).toBe(sim!.listKeys('111111111111', env.AWS_REGION).length);

  abort.abort();
  await served;
  expect(lines.at(-1)).toBe('Simulated organization stopped.');
  await expect(kms.send(new ListKeysCommand({}))).rejects.toThrow();
});
