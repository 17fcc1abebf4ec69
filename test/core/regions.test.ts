// Region names: the partitions' lists are the SDK's own, and an unknown Region in the execution
// input is an input error naming the field (the CLI's exit 2: test/cli/exit-codes.test.ts).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PARTITION_REGIONS, isKnownRegion } from '../../functions/core/regions';
import { ExecutionInput, InputError, parseOrThrow } from '../../functions/core/schemas';

/** The partitions the AWS SDK resolves endpoints with (@aws-sdk/core's util-endpoints data). */
function sdkPartitions(): Record<string, string[]> {
  const file = join(dirname(require.resolve('@aws-sdk/core/package.json')), 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js');
  const source = readFileSync(file, 'utf8');
  const data = JSON.parse(source.slice(source.indexOf('{'), source.lastIndexOf('}') + 1)) as { partitions: { id: string; regions: Record<string, unknown> }[] };
  // The SDK lists each partition's global pseudo-Region (aws-global, aws-cn-global...) too.
  return Object.fromEntries(data.partitions.map((p) => [p.id, Object.keys(p.regions).filter((r) => !r.startsWith('aws')).sort()]));
}

it('lists every Region of every partition the SDK knows, opt-in Regions included', () => {
  expect(Object.fromEntries(Object.entries(PARTITION_REGIONS).map(([p, regions]) => [p, [...regions].sort()]))).toEqual(sdkPartitions());
  expect(['eu-south-1', 'af-south-1', 'us-gov-west-1', 'cn-north-1'].every(isKnownRegion)).toBe(true);
  expect(isKnownRegion('us-east-9')).toBe(false);
});

it('an unknown Region in the execution input is an InputError naming the field', () => {
  expect(() => parseOrThrow(ExecutionInput, { regions: ['eu-west-1', 'us-east-9'] })).toThrow(InputError);
  expect(() => parseOrThrow(ExecutionInput, { regions: ['eu-west-1', 'us-east-9'] })).toThrow('regions.1: "us-east-9" is not a Region of any AWS partition');
  expect(parseOrThrow(ExecutionInput, { regions: ['eu-south-1'] }).regions).toEqual(['eu-south-1']);
});
