// Organizations of the simulated organization through the real SDK client: pagination, account
// State and legacy Status, the OU tree, tags, and who may call it.
import {
  DescribeAccountCommand, DescribeOrganizationCommand, ListAccountsCommand, ListAccountsForParentCommand, ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand, ListParentsCommand, ListRootsCommand, ListTagsForResourceCommand,
  paginateListAccounts, type Account,
} from '@aws-sdk/client-organizations';
import { buildLargeScenario, startSimulator, type SimulatedOrganization } from '../../local/sim';
import { standardScenarioPath, STANDARD } from '../scenarios';
import { assume, errorOf, orgClient } from './helpers';

let sim: SimulatedOrganization;
beforeAll(async () => {
  sim = await startSimulator({ scenario: standardScenarioPath });
});
afterAll(() => sim.close());

test('ListAccounts pages through every account with the SDK paginator', async () => {
  const large = await startSimulator({ scenario: buildLargeScenario({ accounts: 47, keysPerAccount: 1 }) });
  try {
    const client = orgClient(large);
    const pages: number[] = [];
    const accounts: Account[] = [];
    for await (const page of paginateListAccounts({ client, pageSize: 20 }, {})) {
      pages.push(page.Accounts!.length);
      accounts.push(...page.Accounts!);
    }
    expect(pages).toEqual([20, 20, 7]);
    expect(new Set(accounts.map((a) => a.Id)).size).toBe(47);
    expect(large.totalCalls({ service: 'organizations', operation: 'ListAccounts' })).toBe(3);
    // Without MaxResults the page is 20 as well, and smaller pages work.
    const first = await client.send(new ListAccountsCommand({}));
    expect(first.Accounts).toHaveLength(20);
    expect(first.NextToken).toBeTruthy();
    const small = [];
    for await (const page of paginateListAccounts({ client, pageSize: 7 }, {})) small.push(...page.Accounts!);
    expect(small.map((a) => a.Id)).toEqual(accounts.map((a) => a.Id));
  } finally {
    await large.close();
  }
});

test('MaxResults outside 1-20 and a foreign NextToken are InvalidInputException', async () => {
  const client = orgClient(sim);
  const tooMany = await errorOf(client.send(new ListAccountsCommand({ MaxResults: 21 })));
  expect(tooMany.name).toBe('InvalidInputException');
  expect((tooMany as unknown as { Reason: string }).Reason).toBe('MAX_VALUE_EXCEEDED');
  expect((await errorOf(client.send(new ListAccountsCommand({ MaxResults: 0 })))).name).toBe('InvalidInputException');
  const token = (await client.send(new ListAccountsCommand({ MaxResults: 1 }))).NextToken!;
  const foreign = await errorOf(client.send(new ListAccountsForParentCommand({ ParentId: 'ou-st00-prod0001', NextToken: token })));
  expect(foreign.name).toBe('InvalidInputException');
});

test('accounts carry State and the legacy Status', async () => {
  const { Accounts } = await orgClient(sim).send(new ListAccountsCommand({}));
  const suspended = Accounts!.find((a) => a.Id === STANDARD.suspendedAccount)!;
  expect(suspended.State).toBe('SUSPENDED');
  expect(suspended.Status).toBe('SUSPENDED');
  const prod = Accounts!.find((a) => a.Id === '100000000002')!;
  expect(prod).toMatchObject({
    Id: '100000000002', Name: 'prod-core', State: 'ACTIVE', Status: 'ACTIVE', JoinedMethod: 'CREATED',
    Arn: 'arn:aws:organizations::100000000001:account/o-stdtest0001/100000000002',
  });
  expect(prod.Email).toMatch(/@/);
  expect(prod.JoinedTimestamp).toBeInstanceOf(Date);
  sim.setAccountState('100000000005', 'PENDING_CLOSURE');
  const d = await orgClient(sim).send(new DescribeAccountCommand({ AccountId: '100000000005' }));
  expect(d.Account).toMatchObject({ State: 'PENDING_CLOSURE', Status: 'PENDING_CLOSURE' });
  sim.setAccountState('100000000005', 'ACTIVE');
  expect((await errorOf(orgClient(sim).send(new DescribeAccountCommand({ AccountId: '123456789012' })))).name).toBe('AccountNotFoundException');
});

test('the tree: roots, OUs, children, parents, and tags', async () => {
  const client = orgClient(sim);
  const roots = await client.send(new ListRootsCommand({}));
  expect(roots.Roots).toEqual([expect.objectContaining({ Id: 'r-st00', Name: 'Root' })]);
  const topOus = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'r-st00' }));
  expect(topOus.OrganizationalUnits!.map((o) => o.Id)).toEqual(['ou-st00-prod0001', 'ou-st00-nonprod01']);
  const nested = await client.send(new ListChildrenCommand({ ParentId: 'ou-st00-nonprod01', ChildType: 'ORGANIZATIONAL_UNIT' }));
  expect(nested.Children).toEqual([{ Id: 'ou-st00-devteam01', Type: 'ORGANIZATIONAL_UNIT' }]);
  const devAccounts = await client.send(new ListAccountsForParentCommand({ ParentId: 'ou-st00-devteam01' }));
  expect(devAccounts.Accounts!.map((a) => a.Id)).toEqual(['100000000005', '100000000006', '100000000007']);
  const accountChildren = await client.send(new ListChildrenCommand({ ParentId: 'r-st00', ChildType: 'ACCOUNT' }));
  expect(accountChildren.Children).toEqual([{ Id: '100000000001', Type: 'ACCOUNT' }]);
  expect((await client.send(new ListParentsCommand({ ChildId: '100000000005' }))).Parents).toEqual([{ Id: 'ou-st00-devteam01', Type: 'ORGANIZATIONAL_UNIT' }]);
  expect((await client.send(new ListParentsCommand({ ChildId: 'ou-st00-prod0001' }))).Parents).toEqual([{ Id: 'r-st00', Type: 'ROOT' }]);
  const tags = await client.send(new ListTagsForResourceCommand({ ResourceId: '100000000002' }));
  expect(tags.Tags).toEqual([{ Key: 'environment', Value: 'production' }, { Key: 'team', Value: 'core' }]);
  expect((await errorOf(client.send(new ListAccountsForParentCommand({ ParentId: 'ou-st00-missing01' })))).name).toBe('ParentNotFoundException');
  expect((await errorOf(client.send(new ListTagsForResourceCommand({ ResourceId: '123456789012' })))).name).toBe('TargetNotFoundException');
});

test('only the management account may list; members may describe the organization', async () => {
  const member = orgClient(sim, { credentials: await assume(sim, '100000000002') });
  const denied = await errorOf(member.send(new ListAccountsCommand({})));
  expect(denied.name).toBe('AccessDeniedException');
  expect(denied.$metadata?.httpStatusCode).toBe(403);
  const org = await member.send(new DescribeOrganizationCommand({}));
  expect(org.Organization).toMatchObject({ Id: 'o-stdtest0001', MasterAccountId: '100000000001', FeatureSet: 'ALL' });
});

test('an account outside any organization gets AWSOrganizationsNotInUseException; a delegated administrator may list', async () => {
  const outsider = { accessKeyId: 'AKIAOUTSIDER00000001', secretAccessKey: 'secret' };
  const admin = { accessKeyId: 'AKIADELEGATED0000001', secretAccessKey: 'secret' };
  const s = await startSimulator({
    scenario: {
      managementAccountId: '111111111111',
      delegatedAdministrators: ['222222222222'],
      accessKeys: [{ ...outsider, accountId: '999999999999' }, { ...admin, accountId: '222222222222' }],
      accounts: [{ id: '111111111111' }, { id: '222222222222' }],
    },
  });
  try {
    expect((await errorOf(orgClient(s, { credentials: outsider }).send(new DescribeOrganizationCommand({})))).name).toBe('AWSOrganizationsNotInUseException');
    expect((await orgClient(s, { credentials: admin }).send(new ListAccountsCommand({}))).Accounts).toHaveLength(2);
  } finally {
    await s.close();
  }
});
