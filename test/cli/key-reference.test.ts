// How a key is named on the command line: a key id with its Region and account makes the ARN of
// the Region's partition without reading the store; a key ARN must look like one KMS writes.
import { keyArnProblem, resolveKeyReference } from '../../cli/key-reference';
import type { ResultsStore } from '../../functions/store/results-store';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const untouched = new Proxy({}, { get: () => { throw new Error('the store was read'); } }) as ResultsStore;

test.each([
  ['us-east-1', `arn:aws:kms:us-east-1:111111111111:key/${KEY_ID}`],
  ['cn-north-1', `arn:aws-cn:kms:cn-north-1:111111111111:key/${KEY_ID}`],
  ['us-gov-west-1', `arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/${KEY_ID}`],
])('a key id in %s with its account is the ARN of that partition', async (region, arn) => {
  await expect(resolveKeyReference(untouched, KEY_ID, { region, account: '111111111111' })).resolves.toBe(arn);
});

test.each([
  [`arn:aws:kms:us-east-1:111111111111:key/${KEY_ID}`, undefined],
  ['arn:aws:kms:eu-west-1:111111111111:key/mrk-0123456789abcdef0123456789abcdef', undefined],
  [`arn:aws-us-gov:kms:us-gov-east-1:111111111111:key/${KEY_ID}`, undefined],
  ['arn:aws:kms:us-east-1:111111111111:key/x', /where a key id belongs/],
  [`arn:aws:kms:us-east-1:111111111111:key/${KEY_ID.toUpperCase()}`, /where a key id belongs/],
  [`arn:aws:kms:useast1:111111111111:key/${KEY_ID}`, /where a Region/],
  [`arn:aws:kms:us-east-1:11111111111:key/${KEY_ID}`, /is not a KMS key ARN/],
  [`arn:aws:s3:us-east-1:111111111111:key/${KEY_ID}`, /is not a KMS key ARN/],
])('%s', (arn, problem) => {
  if (problem) expect(keyArnProblem(arn)).toMatch(problem);
  else expect(keyArnProblem(arn)).toBeUndefined();
});
