// AWS list prices the scale model uses: us-east-1, on-demand, x86 Lambda, as published on
// 2026-11-01 (the date they were read). One file, so a price change is one edit.
export const PRICES = {
  asOf: '2026-11-01',
  region: 'us-east-1',
  /** Step Functions Standard: per state transition. */
  stepFunctionsTransition: 0.025 / 1000,
  /** Step Functions Express: per request and per GB-second (the first tier). */
  stepFunctionsExpressRequest: 1 / 1_000_000,
  stepFunctionsExpressGbSecond: 0.00001667,
  /** Lambda: per request and per GB-second (x86). */
  lambdaRequest: 0.2 / 1_000_000,
  lambdaGbSecond: 0.0000166667,
  /** DynamoDB on-demand: per write and read request unit; storage per GB-month. */
  dynamoWriteUnit: 0.625 / 1_000_000,
  dynamoReadUnit: 0.125 / 1_000_000,
  dynamoStorageGbMonth: 0.25,
  /** S3 Standard: PUT and GET per request; storage per GB-month. */
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  s3StorageGbMonth: 0.023,
  /** KMS: per request beyond the free tier (a separate line: the scan's own calls). */
  kmsRequest: 0.03 / 10_000,
} as const;
