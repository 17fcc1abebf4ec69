// EC2 DescribeRegions of the simulated organization through the real SDK client: each account's
// enabled Regions, AllRegions, filters.
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { standardScenarioPath, STANDARD } from '../scenarios';
import { assume, ec2Client, errorOf } from './helpers';

let sim: SimulatedOrganization;
beforeAll(async () => {
  sim = await startSimulator({ scenario: standardScenarioPath });
});
afterAll(() => sim.close());

test('without AllRegions: only the account\'s enabled Regions, opt-in ones marked opted-in', async () => {
  const ec2 = ec2Client(sim, { credentials: await assume(sim, STANDARD.accountWithOptInRegion) });
  const { Regions } = await ec2.send(new DescribeRegionsCommand({}));
  expect(Regions).toEqual([
    { RegionName: 'us-east-1', Endpoint: 'ec2.us-east-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
    { RegionName: 'eu-west-1', Endpoint: 'ec2.eu-west-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
    { RegionName: 'ap-southeast-2', Endpoint: 'ec2.ap-southeast-2.amazonaws.com', OptInStatus: 'opt-in-not-required' },
    { RegionName: 'eu-south-1', Endpoint: 'ec2.eu-south-1.amazonaws.com', OptInStatus: 'opted-in' },
  ]);
  const other = ec2Client(sim, { credentials: await assume(sim, '100000000003') });
  expect((await other.send(new DescribeRegionsCommand({}))).Regions!.map((r) => r.RegionName)).toEqual(STANDARD.regions);
});

test('AllRegions lists the Regions the account has not enabled as not-opted-in; filters and names narrow it', async () => {
  const ec2 = ec2Client(sim);
  const all = (await ec2.send(new DescribeRegionsCommand({ AllRegions: true }))).Regions!;
  expect(all.length).toBeGreaterThan(25);
  expect(all.find((r) => r.RegionName === 'eu-south-1')?.OptInStatus).toBe('not-opted-in');
  expect(all.find((r) => r.RegionName === 'us-east-1')?.OptInStatus).toBe('opt-in-not-required');
  const notOpted = await ec2.send(new DescribeRegionsCommand({ AllRegions: true, Filters: [{ Name: 'opt-in-status', Values: ['not-opted-in'] }] }));
  expect(notOpted.Regions!.every((r) => r.OptInStatus === 'not-opted-in')).toBe(true);
  expect(notOpted.Regions!.some((r) => STANDARD.regions.includes(r.RegionName as never))).toBe(false);
  const named = await ec2.send(new DescribeRegionsCommand({ RegionNames: ['eu-west-1', 'us-east-1'] }));
  expect(named.Regions!.map((r) => r.RegionName)).toEqual(['us-east-1', 'eu-west-1']);
  expect((await errorOf(ec2.send(new DescribeRegionsCommand({ RegionNames: ['xx-nowhere-9'] })))).name).toBe('InvalidParameterValue');
  expect((await errorOf(ec2.send(new DescribeRegionsCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] })))).name).toBe('InvalidParameterValue');
});

test('it answers from any default Region, and an opt-in Region the account has not enabled is AuthFailure', async () => {
  const fromOregon = ec2Client(sim, { region: 'us-west-2' });
  expect((await fromOregon.send(new DescribeRegionsCommand({}))).Regions!.map((r) => r.RegionName)).toEqual(STANDARD.regions);
  const e = await errorOf(ec2Client(sim, { region: 'eu-south-1' }).send(new DescribeRegionsCommand({})));
  expect(e.name).toBe('AuthFailure');
  expect(e.$metadata?.httpStatusCode).toBe(401);
});
