// The simulated organizations the tests run against: the standard scenario file, the demo, and the
// generator of large organizations for benchmarks.
import { join } from 'node:path';

export { demoScenarioPath, buildLargeScenario } from '../../local/sim';
export type { LargeScenarioOptions } from '../../local/sim';

/** ≥5 accounts in 3 OUs, 3 Regions (one account with an extra opt-in Region), every kind of key,
 * one member without the role, one suspended account. */
export const standardScenarioPath: string = join(__dirname, 'standard.json');

/** Facts about the standard scenario that tests name. */
export const STANDARD = {
  managementAccountId: '100000000001',
  memberWithoutRole: '100000000006',
  suspendedAccount: '100000000007',
  accountWithOptInRegion: '100000000002',
  optInRegion: 'eu-south-1',
  regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
  roleNames: ['KmsRotorScanRole', 'KmsRotorRemediateRole'],
} as const;
