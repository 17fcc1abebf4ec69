// The start-up benchmark measures what it says: the built command's --help to its exit, and its
// first AWS request as the loopback endpoint receives it (a DynamoDB call of `rotor runs`).
import { benchStartup, median } from '../../bench/startup.bench';

test('median of an odd and an even count, unsorted', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(() => median([])).toThrow('median of no values');
});

test('one launch of each: figures in seconds, and the first call is the results table read', async () => {
  const figures = await benchStartup(1);
  expect(figures.launches).toBe(1);
  expect(figures.firstAwsCall).toBe('DynamoDB_20120810.Query');
  expect(figures.helpSeconds).toBeGreaterThan(0);
  expect(figures.firstAwsCallSeconds).toBeGreaterThan(0);
}, 120_000);
