// Builds large simulated organizations for benchmarks and scale tests: N accounts x M keys with
// a deterministic mix of key kinds, spread over OUs and Regions.
import type { AccountInput, KeyInput, KeyKind, ScenarioInput } from './scenario';

export interface LargeScenarioOptions {
  accounts: number;
  keysPerAccount: number;
  /** Enabled Regions of every account (default us-east-1, us-west-2, eu-west-1). */
  regions?: string[];
  /** Number of OUs the member accounts are spread over (default 4). */
  organizationalUnits?: number;
  /** Every n-th member account has no role (default 0: all have it). */
  missingRoleEvery?: number;
  /** Role names present in every other account (default the kms-rotor scan and remediate roles). */
  roleNames?: string[];
  externalId?: string;
  /** Share of customer symmetric keys with rotation already on (default 0.3). */
  rotatingShare?: number;
}

/** The kind of the i-th key: mostly customer symmetric keys, with every other kind sprinkled in. */
function kindAt(i: number, rotatingShare: number): KeyKind {
  const special: KeyKind[] = ['aws-managed', 'asymmetric-rsa', 'hmac', 'disabled', 'pending-deletion', 'imported', 'asymmetric-ecc', 'cloudhsm'];
  if (i % 10 === 9) return special[Math.floor(i / 10) % special.length];
  // A low-discrepancy sequence spreads the rotating keys evenly.
  return ((i * 0.618033988749895) % 1) < rotatingShare ? 'rotating' : 'not-rotating';
}

const AWS_SERVICES = ['s3', 'ebs', 'rds', 'lambda', 'sns', 'sqs', 'dynamodb', 'secretsmanager'];

export function buildLargeScenario(opts: LargeScenarioOptions): ScenarioInput {
  const regions = opts.regions ?? ['us-east-1', 'us-west-2', 'eu-west-1'];
  const ouCount = opts.organizationalUnits ?? 4;
  const rotatingShare = opts.rotatingShare ?? 0.3;
  const roleNames = opts.roleNames ?? ['KmsRotorScanRole', 'KmsRotorRemediateRole'];
  const environments = ['production', 'staging', 'dev'];
  const ous = Array.from({ length: ouCount }, (_, i) => ({
    id: `ou-lrg0-${String(i + 1).padStart(8, '0')}`,
    name: `${environments[i % environments.length]}-${i + 1}`,
  }));
  const managementAccountId = '100000000000';
  const accounts: AccountInput[] = [];
  for (let a = 0; a < opts.accounts; a++) {
    const id = a === 0 ? managementAccountId : String(100000000000 + a);
    const keys: KeyInput[] = [];
    const usedServices = new Set<string>();
    for (let k = 0; k < opts.keysPerAccount; k++) {
      const region = regions[k % regions.length];
      let kind = kindAt(k + a, rotatingShare);
      const key: KeyInput = { kind, region };
      if (kind === 'aws-managed') {
        const service = AWS_SERVICES.find((s) => !usedServices.has(`${region}/${s}`));
        if (service) {
          usedServices.add(`${region}/${service}`);
          key.service = service;
        } else {
          kind = 'not-rotating';
          key.kind = kind;
        }
      }
      if (kind !== 'aws-managed' && k % 3 === 0) key.alias = `alias/app-${a}-${k}`;
      keys.push(key);
    }
    const member = a > 0;
    const missingRole = member && opts.missingRoleEvery !== undefined && opts.missingRoleEvery > 0 && a % opts.missingRoleEvery === 0;
    accounts.push({
      id,
      name: a === 0 ? 'management' : `member-${String(a).padStart(5, '0')}`,
      parent: member ? ous[a % ouCount].id : undefined,
      tags: { environment: member ? environments[(a % ouCount) % environments.length] : 'management' },
      regions,
      roles: missingRole ? [] : roleNames.map((name) => (opts.externalId ? { name, externalId: opts.externalId } : { name })),
      keys,
    });
  }
  return {
    name: `large-${opts.accounts}x${opts.keysPerAccount}`,
    managementAccountId,
    rootId: 'r-lrg0',
    organizationId: 'o-largescale0',
    defaultRegions: regions,
    organizationalUnits: ous,
    accounts,
  };
}
