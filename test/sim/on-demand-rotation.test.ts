// On-demand rotation in the simulator (RotateKeyOnDemand), and GetKeyRotationStatus's
// OnDemandRotationStartDate and NextRotationDate as the key scanner reads them onto a finding.
import { RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import { readRotation } from '../../functions/aws/key-scanner';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { standardScenarioPath, STANDARD } from '../scenarios';
import { errorOf, kmsClient } from './helpers';

let sim: SimulatedOrganization;
beforeAll(async () => {
  sim = await startSimulator({ scenario: standardScenarioPath });
});
afterAll(() => sim.close());

it('an on-demand rotation in progress: its start date, the next scheduled rotation, and a second one refused', async () => {
  const kms = kmsClient(sim);
  const key = sim.createKey(STANDARD.managementAccountId, 'us-east-1', { kind: 'rotating' });
  const before = await readRotation(kms, key.keyId);
  expect(before).toMatchObject({ enabled: true, periodInDays: 365, onDemandRotationStartDate: undefined });
  expect(Date.parse(before.nextRotationDate!)).toBeGreaterThan(Date.now());

  await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId }));
  const during = await readRotation(kms, key.keyId);
  expect(Math.abs(Date.parse(during.onDemandRotationStartDate!) - Date.now())).toBeLessThan(60_000);
  expect(during.nextRotationDate).toBe(before.nextRotationDate);
  expect(await errorOf(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId })))).toMatchObject({ name: 'ConflictException' });
  kms.destroy();
});
