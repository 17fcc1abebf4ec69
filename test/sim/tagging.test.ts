// The simulated Resource Groups Tagging API through the real SDK client: GetResources lists the
// caller's tagged KMS keys in its Region, by ARN list or by type with pages, as Cloud Custodian reads them.
import {
  GetResourcesCommand, ResourceGroupsTaggingAPIClient, paginateGetResources,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { buildLargeScenario, startSimulator, type SimulatedOrganization } from '../../local/sim';
import { assume, errorOf, type Credentials } from './helpers';

const MEMBER = '100000000001';
let sim: SimulatedOrganization;
let creds: Credentials;

beforeAll(async () => {
  const scenario = buildLargeScenario({ accounts: 2, keysPerAccount: 240, regions: ['us-east-1', 'us-west-2'] });
  // Tag every third key of the member (both Regions); the rest carry none.
  (scenario.accounts[1].keys ?? []).forEach((k, i) => {
    if (i % 3 === 0) k.tags = { team: `t${i}` };
  });
  sim = await startSimulator({ scenario });
  creds = await assume(sim, MEMBER);
});
afterAll(() => sim.close());

const tagging = (region = 'us-east-1') => new ResourceGroupsTaggingAPIClient({ endpoint: sim.endpoint, region, credentials: creds, maxAttempts: 1 });

test('by ResourceARNList: the listed keys that carry tags, with their tags, and no other account\'s', async () => {
  const keys = sim.listKeys(MEMBER, 'us-east-1').slice(0, 8);
  const foreign = sim.listKeys('100000000000', 'us-east-1')[0].arn;
  const out = await tagging().send(new GetResourcesCommand({ ResourceARNList: [...keys.map((k) => k.arn), foreign] }));
  const expected = keys.filter((k) => Object.keys(k.tags).length > 0);
  expect(expected.length).toBeGreaterThan(0);
  expect(out.ResourceTagMappingList?.map((m) => m.ResourceARN)).toEqual(expected.map((k) => k.arn));
  expect(out.ResourceTagMappingList?.[0].Tags).toEqual(Object.entries(expected[0].tags).map(([Key, Value]) => ({ Key, Value })));
  expect(out.PaginationToken).toBe('');
});

test('by ResourceTypeFilters: every tagged key of the Region, in pages, through the SDK paginator', async () => {
  const pages: number[] = [];
  const arns: string[] = [];
  for await (const page of paginateGetResources({ client: tagging('us-west-2') }, { ResourceTypeFilters: ['kms:key'], ResourcesPerPage: 10 })) {
    pages.push(page.ResourceTagMappingList!.length);
    arns.push(...page.ResourceTagMappingList!.map((m) => m.ResourceARN!));
  }
  const expected = sim.listKeys(MEMBER, 'us-west-2').filter((k) => Object.keys(k.tags).length > 0).map((k) => k.arn);
  expect(arns).toEqual(expected);
  expect(expected.length).toBe(40);
  expect(pages).toEqual([10, 10, 10, 10]);
  const other = await tagging().send(new GetResourcesCommand({ ResourceTypeFilters: ['s3:bucket'] }));
  expect(other.ResourceTagMappingList).toEqual([]);
});

test('bad parameters answer InvalidParameterException, and every call is counted', async () => {
  const many = Array.from({ length: 101 }, (_, i) => `arn:aws:kms:us-east-1:${MEMBER}:key/${i}`);
  expect((await errorOf(tagging().send(new GetResourcesCommand({ ResourceARNList: many })))).name).toBe('InvalidParameterException');
  expect((await errorOf(tagging().send(new GetResourcesCommand({ ResourcesPerPage: 500 })))).name).toBe('InvalidParameterException');
  expect((await errorOf(tagging().send(new GetResourcesCommand({ PaginationToken: 'bm90LWEtdG9rZW4=' })))).name).toBe('PaginationTokenExpiredException');
  const counted = sim.callCounts({ accountId: MEMBER, service: 'tagging', operation: 'GetResources' }).reduce((a, c) => a + c.calls, 0);
  expect(counted).toBe(9);
});
