// Scenario files of the simulated organization: the demo and standard files, key kinds expanded to
// full metadata with stable ids, validation errors that name the field, and the large generator.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLargeScenario, demoScenarioPath, KEY_KINDS, loadScenario, ScenarioError, type ScenarioInput } from '../../local/sim';
import { standardScenarioPath, STANDARD } from '../scenarios';

const minimal = (extra: Partial<ScenarioInput> = {}): ScenarioInput => ({ managementAccountId: '111111111111', accounts: [{ id: '111111111111' }], ...extra });

function errorFor(input: unknown): string {
  try {
    loadScenario(input as ScenarioInput);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

test('the demo: six accounts in three OUs, every kind of key, one member without a role, one extra opt-in Region', () => {
  const s = loadScenario(demoScenarioPath);
  expect(s.accounts).toHaveLength(6);
  expect(s.organizationalUnits).toHaveLength(3);
  const keys = s.accounts.flatMap((a) => a.keys);
  expect(keys.length).toBeGreaterThanOrEqual(30);
  expect(keys.length).toBeLessThanOrEqual(50);
  const members = s.accounts.filter((a) => a.id !== s.managementAccountId);
  expect(members.filter((a) => a.roles.length === 0)).toHaveLength(1);
  expect(s.accounts.every((a) => a.regions.length >= 3)).toBe(true);
  expect(s.accounts.filter((a) => a.regions.length > 3)).toHaveLength(1);
  expect(new Set(s.accounts.map((a) => a.tags.environment))).toEqual(new Set(['production', 'staging', 'dev']));
  expectEveryKind(keys);
});

test('the standard scenario: ≥5 active accounts, 3 Regions, every kind of key, one member without the role', () => {
  const s = loadScenario(standardScenarioPath);
  expect(s.accounts.filter((a) => a.state === 'ACTIVE').length).toBeGreaterThanOrEqual(5);
  expect(s.defaultRegions).toEqual(STANDARD.regions);
  expect(s.accounts.find((a) => a.id === STANDARD.memberWithoutRole)!.roles).toEqual([]);
  expect(s.accounts.find((a) => a.id === STANDARD.suspendedAccount)!.state).toBe('SUSPENDED');
  expectEveryKind(s.accounts.flatMap((a) => a.keys));
});

function expectEveryKind(keys: ReturnType<typeof loadScenario>['accounts'][number]['keys']): void {
  const has = (p: (k: (typeof keys)[number]) => boolean) => expect(keys.some(p)).toBe(true);
  has((k) => k.keyManager === 'CUSTOMER' && k.keySpec === 'SYMMETRIC_DEFAULT' && k.origin === 'AWS_KMS' && k.keyState === 'Enabled' && k.rotation && !k.multiRegion);
  has((k) => k.keyManager === 'CUSTOMER' && k.keySpec === 'SYMMETRIC_DEFAULT' && k.origin === 'AWS_KMS' && k.keyState === 'Enabled' && !k.rotation);
  has((k) => k.rotation && k.rotationPeriodInDays !== 365);
  has((k) => k.keySpec.startsWith('RSA_'));
  has((k) => k.keySpec.startsWith('ECC_'));
  has((k) => k.keySpec.startsWith('HMAC_'));
  has((k) => k.origin === 'EXTERNAL' && k.keyState === 'Enabled');
  has((k) => k.origin === 'EXTERNAL' && k.keyState === 'PendingImport');
  has((k) => k.origin === 'AWS_CLOUDHSM');
  has((k) => k.origin === 'EXTERNAL_KEY_STORE');
  has((k) => k.keyState === 'Disabled');
  has((k) => k.keyState === 'PendingDeletion');
  has((k) => k.multiRegion && !k.primaryRegion);
  has((k) => k.multiRegion && !!k.primaryRegion);
  has((k) => k.keyManager === 'AWS' && k.aliases.some((a) => a.startsWith('alias/aws/')));
}

test('every kind expands to full metadata; ids are stable and UUID- or mrk-shaped', () => {
  const input = minimal({
    accounts: [{
      id: '111111111111',
      keys: KEY_KINDS.filter((k) => k !== 'multi-region-replica').map((kind) => ({
        kind, region: 'us-east-1', ...(kind === 'aws-managed' ? { service: 's3' } : {}), ...(kind === 'multi-region-primary' ? { replicaRegions: ['eu-west-1'] } : {}),
      })),
    }],
  });
  const a = loadScenario(input);
  const b = loadScenario(JSON.parse(JSON.stringify(input)));
  expect(a).toEqual(b);
  const keys = a.accounts[0].keys;
  expect(keys).toHaveLength(KEY_KINDS.length);
  for (const k of keys) expect(k.keyId).toMatch(k.multiRegion ? /^mrk-[0-9a-f]{32}$/ : /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const replica = keys.find((k) => k.primaryRegion)!;
  expect(replica).toMatchObject({ region: 'eu-west-1', primaryRegion: 'us-east-1', multiRegion: true, aliases: [] });
  expect(replica.keyId).toBe(keys.find((k) => k.replicaRegions)!.keyId);
  expect(keys.find((k) => k.keyManager === 'AWS')).toMatchObject({ aliases: ['alias/aws/s3'], rotation: true });
  expect(keys.find((k) => k.origin === 'AWS_CLOUDHSM')!.customKeyStoreId).toMatch(/^cks-[0-9a-f]{17}$/);
  // The full form loads to itself.
  expect(loadScenario(a)).toEqual(a);
});

test('defaults: management credentials, organization and root ids, Regions, roles', () => {
  const s = loadScenario(minimal({ defaultRoles: [{ name: 'R' }] }));
  expect(s.managementCredentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
  expect(s.managementCredentials.secretAccessKey).toHaveLength(40);
  expect(s.organizationId).toMatch(/^o-[a-z2-7]{10}$/);
  expect(s.rootId).toMatch(/^r-[a-z2-7]{4}$/);
  expect(s.accounts[0]).toMatchObject({ parent: s.rootId, state: 'ACTIVE', regions: ['us-east-1', 'us-west-2', 'eu-west-1'], roles: [{ name: 'R', trustedAccounts: ['111111111111'] }] });
});

test.each([
  [{ accounts: [] }, 'scenario.managementAccountId: is required'],
  [{ managementAccountId: '1234', accounts: [{ id: '1234' }] }, 'scenario.managementAccountId: "1234" is not a 12-digit account id'],
  [minimal({ accounts: [{ id: '222222222222' }] }), 'scenario.accounts: the management account 111111111111 is not listed'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ kind: 'nope' as never, region: 'us-east-1' }] }] }), 'scenario.accounts[0].keys[0].kind: "nope" is not one of rotating'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'ap-east-1' }] }] }), 'scenario.accounts[0].keys[0].region: "ap-east-1" is not an enabled Region of account 111111111111'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', rotationPeriodInDays: 30 }] }] }), 'scenario.accounts[0].keys[0].rotationPeriodInDays: must be an integer from 90 to 2560, got 30'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', alias: 'alias/aws/s3' }] }] }), 'alias/aws/ is reserved for AWS-managed keys'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ kind: 'aws-managed', region: 'us-east-1' }] }] }), 'scenario.accounts[0].keys[0].service: an AWS-managed key needs a service'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', keySpec: 'HMAC_256', keyUsage: 'ENCRYPT_DECRYPT' }] }] }), 'scenario.accounts[0].keys[0].keyUsage: ENCRYPT_DECRYPT is not valid for key spec HMAC_256'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', alias: 'alias/a' }, { region: 'us-east-1', alias: 'alias/a' }] }] }), 'scenario.accounts[0].keys[1].alias: alias alias/a is used twice in us-east-1'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', keyId: 'mrk-123' }] }] }), 'scenario.accounts[0].keys[0].keyId: "mrk-123" is not a key id'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', replicaRegions: ['us-east-1'] }] }] }), 'scenario.accounts[0].keys[0].replicaRegions[0]: must differ'],
  [minimal({ accounts: [{ id: '111111111111', parent: 'ou-abcd-12345678' }] }), 'scenario.accounts[0].parent: "ou-abcd-12345678" is neither the root'],
  [minimal({ accounts: [{ id: '111111111111', regions: ['xx-north-9'] }] }), 'scenario.accounts[0].regions[0]: "xx-north-9" is not a known AWS Region'],
  [minimal({ accounts: [{ id: '111111111111', roles: [{ name: 'bad name' }] }] }), 'scenario.accounts[0].roles[0].name: "bad name" is not a role name'],
  [minimal({ accounts: [{ id: '111111111111', colour: 'blue' } as never] }), 'scenario.accounts[0].colour: unknown field'],
  [minimal({ organizationalUnits: [{ id: 'ou-abcd-aaaaaaaa', name: 'A', parent: 'ou-abcd-bbbbbbbb' }, { id: 'ou-abcd-bbbbbbbb', name: 'B', parent: 'ou-abcd-aaaaaaaa' }] }), 'scenario.organizationalUnits: OU ou-abcd-aaaaaaaa is in a parent cycle'],
  [minimal({ faults: [{ type: 'enable-rotation-error' } as never] }), 'scenario.faults[0].accountId: is required'],
  [minimal({ managementCredentials: { accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x' } }), 'scenario.managementCredentials.accessKeyId: ASIA keys are temporary credentials'],
  // One of each kind of rule: a type, a non-empty string, a string map, a list, a pattern in a list, an enum in a union, both of two exclusive fields.
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', rotation: 'yes' as never }] }] }), 'scenario.accounts[0].keys[0].rotation: must be true or false, got "yes"'],
  [minimal({ name: '' }), 'scenario.name: must be a non-empty string, got ""'],
  [minimal({ accounts: [{ id: '111111111111', tags: { team: 7 as never } }] }), 'scenario.accounts[0].tags.team: must be a string, got 7'],
  [minimal({ defaultRegions: 'us-east-1' as never }), 'scenario.defaultRegions: must be a list, got "us-east-1"'],
  [minimal({ delegatedAdministrators: ['12'] }), 'scenario.delegatedAdministrators[0]: "12" is not a 12-digit account id'],
  [minimal({ faults: [{ type: 'nope' } as never] }), 'scenario.faults[0].type: "nope" is not one of enable-rotation-error, enable-rotation-ignored, region-failure, operation-error'],
  [minimal({ faults: [{ accountId: '111111111111' } as never] }), 'scenario.faults[0].type: is required (one of enable-rotation-error'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', alias: 'alias/a', aliases: ['alias/b'] }] }] }), 'scenario.accounts[0].keys[0].aliases: give alias or aliases, not both'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', alias: ['alias/a', 'b'] }] }] }), 'scenario.accounts[0].keys[0].alias[1]: "b" is not an alias name (alias/...)'],
  // Rules across objects: unique ids, references that resolve.
  [minimal({ accounts: [{ id: '111111111111' }, { id: '111111111111' }] }), 'scenario.accounts[1].id: duplicate account id 111111111111'],
  [minimal({ delegatedAdministrators: ['222222222222'] }), 'scenario.delegatedAdministrators[0]: 222222222222 is not an account of the scenario'],
  [minimal({ accounts: [{ id: '111111111111', aliases: [{ name: 'alias/x', region: 'us-east-1', targetKeyId: 'nope' }] }] }), 'scenario.accounts[0].aliases[0].targetKeyId: no key nope in us-east-1 of account 111111111111'],
  [minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'eu-west-1', primaryRegion: 'us-east-1' }] }] }), 'scenario.accounts[0].keys[0].primaryRegion: no primary key mrk-'],
])('validation names the bad field (%#)', (input, message) => {
  expect(errorFor(input)).toContain(message);
});

test('every problem is listed, one line each, up to ten and a count of the rest', () => {
  const lines = errorFor(minimal({ name: 5 as never, accounts: [{ id: '111111111111', state: 'GONE' as never, colour: 'blue' } as never] })).split('\n');
  expect(lines).toEqual([
    'scenario.name: must be a non-empty string, got 5',
    'scenario.accounts[0].state: "GONE" is not one of ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION',
    expect.stringMatching(/^scenario\.accounts\[0\]\.colour: unknown field \(expected one of id, name, /),
  ]);
  const many = errorFor(minimal({ accounts: [{ id: '111111111111', keys: Array.from({ length: 25 }, () => ({ region: 'us-east-1', rotationPeriodInDays: 1 })) }] })).split('\n');
  expect(many).toHaveLength(11);
  expect(many[9]).toBe('scenario.accounts[0].keys[9].rotationPeriodInDays: must be an integer from 90 to 2560, got 1');
  expect(many[10]).toBe('(and 15 more problems)');
});

test('a scenario file that does not validate names the file and the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify(minimal({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', keySpec: 'RSA_2048', origin: 'EXTERNAL' }] }] })));
  try {
    expect(errorFor(file)).toBe(`${file}: scenario.accounts[0].keys[0].origin: EXTERNAL keys must be SYMMETRIC_DEFAULT`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a file that is missing or not JSON is a ScenarioError naming the file', () => {
  expect(() => loadScenario('/nonexistent/scenario.json')).toThrow(/\/nonexistent\/scenario.json: cannot read the scenario file/);
  expect(() => loadScenario(__filename)).toThrow(/is not valid JSON/);
  expect(JSON.parse(readFileSync(demoScenarioPath, 'utf8')).name).toBe('demo');
});

test('the large generator builds N accounts x M keys that load, with the kinds mixed', () => {
  const input = buildLargeScenario({ accounts: 30, keysPerAccount: 40, missingRoleEvery: 10 });
  const s = loadScenario(input);
  expect(s.accounts).toHaveLength(30);
  expect(s.accounts.every((a) => a.keys.length === 40)).toBe(true);
  expect(s.accounts.filter((a) => a.roles.length === 0).map((a) => a.id)).toEqual(['100000000010', '100000000020']);
  const keys = s.accounts.flatMap((a) => a.keys);
  const rotating = keys.filter((k) => k.keyManager === 'CUSTOMER' && k.rotation).length;
  expect(rotating / keys.length).toBeGreaterThan(0.15);
  expect(rotating / keys.length).toBeLessThan(0.45);
  for (const p of [(k: (typeof keys)[number]) => k.keyManager === 'AWS', (k: (typeof keys)[number]) => k.keySpec !== 'SYMMETRIC_DEFAULT', (k: (typeof keys)[number]) => k.keyState === 'Disabled']) {
    expect(keys.some(p)).toBe(true);
  }
  expect(loadScenario(buildLargeScenario({ accounts: 30, keysPerAccount: 40, missingRoleEvery: 10 }))).toEqual(s);
});
