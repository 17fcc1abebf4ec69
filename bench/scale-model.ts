// The scale and cost model of a daily scan: from what one local run counted (calls per key,
// store writes and objects per account, bytes per finding) and the deployment's limits, the
// makespan of each stage with the limit that binds it, the cost per run and per month, and the
// storage after a year. Pure: the benchmark measures, this projects.
import { PRICES } from './prices';

/** What a local scan counted, per account and per key. */
export interface MeasuredScan {
  /** KMS calls per key listed (ListKeys, ListAliases, DescribeKey, GetKeyRotationStatus). */
  kmsCallsPerKey: number;
  /** Other calls per account (AssumeRole, DescribeRegions, ListKeys/ListAliases pages are KMS). */
  otherCallsPerAccount: number;
  /** DynamoDB write units per account in a scan that found nothing changed (summary, pointer...). */
  writeUnitsPerAccountUnchanged: number;
  /** DynamoDB read units per account over the whole run (scan, plan, Finalize). */
  readUnitsPerAccount: number;
  s3PutsPerAccount: number;
  s3GetsPerAccount: number;
  /** Bytes of an account's scan object per finding. */
  bytesPerFinding: number;
  /** Bytes of one history item and of one account summary item. */
  historyItemBytes: number;
  summaryItemBytes: number;
  /** CPU ms per account of Finalize of a scan (it reads the account summaries), measured locally. */
  finalizeCpuMsPerAccount: number;
}

/** The deployment's shape and limits the projection needs (its defaults come from the code). */
export interface DeploymentShape {
  /** Accounts the scan map scans at once (children at once × accounts at once in each). */
  mapConcurrency: number;
  /** Accounts per child execution of the scan map (its ItemBatcher's MaxItemsPerBatch). */
  accountsPerChild: number;
  regionConcurrency: number;
  keyCallConcurrency: number;
  /** Accounts Finalize reads at once for drift. */
  finalizeConcurrency: number;
  /** Partitions the account summaries are spread over. */
  summaryShards: number;
  retentionDays: number;
  /** Seconds of each Task's timeout (its Lambda's). */
  timeoutSeconds: Record<'ListAccounts' | 'ScanAccount' | 'PlanWaves' | 'Finalize', number>;
  memoryMb: Record<'ListAccounts' | 'ScanAccount' | 'PlanWaves' | 'Finalize', number>;
  /** ListAccounts' pace of Organizations calls, and how long before its timeout it stops to save its listing. */
  organizationsCallsPerSecond: number;
  listingMarginSeconds: number;
  /** State transitions of the parent execution; of each child execution of the scan map, and per account in it. */
  parentTransitions: number;
  transitionsPerChild: number;
  transitionsPerAccount: number;
}

/** Assumptions about AWS that nothing here can measure, named so that they can be argued with. */
export const ASSUMPTIONS = {
  /** Round trip of one AWS API call from Lambda in the same partition. */
  apiLatencyMs: 30,
  /** A DynamoDB or S3 call from Lambda. */
  storeLatencyMs: 15,
  /** Starting a Distributed Map child execution and its Lambda invocation. */
  childOverheadMs: 400,
  /** Memory an Express child is billed for (the smallest step, 64 MB). */
  expressChildMb: 64,
  /** Organizations ListAccounts: 20 accounts a page. */
  organizationsPageSize: 20,
  /** DynamoDB's write limit of one partition. */
  partitionWriteUnitsPerSecond: 1000,
  /** Bytes a run record takes (kept forever). */
  runRecordBytes: 4096,
} as const;

export interface OrgSize {
  accounts: number;
  regions: number;
  keysPerRegion: number;
}

export interface Stage {
  name: string;
  seconds: number;
  /** The step's timeout, when it is one Lambda invocation (the scan map's is per account). */
  limitSeconds: number;
  /** Share of the step's limit used (time, or memory where that is closer). */
  shareOfLimit: number;
  bindsOn: string;
}

export interface Projection {
  accounts: number;
  keys: number;
  stages: Stage[];
  makespanSeconds: number;
  costPerRunUsd: number;
  costItems: Record<'stepFunctions' | 'lambda' | 'dynamodb' | 's3', number>;
  /**
   * Step Functions per run were the scan map's children Express (billed per request and
   * GB-second) rather than Standard (per transition): the modelled alternative, not what runs.
   */
  stepFunctionsWithExpressChildrenUsd: number;
  kmsRequestsPerRunUsd: number;
  costPerMonthUsd: number;
  dynamoStorageGbAfterYear: number;
  s3StorageGb: number;
  /** The busiest partition's write rate during the scan, as a share of DynamoDB's per-partition limit. */
  maxPartitionWriteShare: number;
  stepsOverHalfLimit: string[];
  /**
   * ListAccounts when priority rules read account tags: a page per 20 accounts and a tag read per
   * account at the same pace, over as many invocations as its timeout needs (each saves its listing
   * and the next goes on), and the makespan with that listing in place of the plain one.
   */
  listAccountsWithTags: { seconds: number; invocations: number; makespanSeconds: number };
}

const GB = 2 ** 30;

export function projectDailyScan(org: OrgSize, measured: MeasuredScan, shape: DeploymentShape, a = ASSUMPTIONS): Projection {
  const keysPerAccount = org.regions * org.keysPerRegion;
  const keys = org.accounts * keysPerAccount;
  const latency = a.apiLatencyMs / 1000;

  // ListAccounts: the Organization's pages, one after another.
  const listPages = Math.ceil(org.accounts / a.organizationsPageSize);
  const listSeconds = listPages / shape.organizationsCallsPerSecond;
  const listWithTagsSeconds = (listPages + org.accounts) / shape.organizationsCallsPerSecond;

  // ScanAccount: Regions in rounds of regionConcurrency; within one, its key calls keyCallConcurrency at a time.
  const callsPerRegion = org.keysPerRegion * measured.kmsCallsPerKey;
  const accountSeconds =
    measured.otherCallsPerAccount * latency +
    Math.ceil(org.regions / shape.regionConcurrency) * Math.ceil(callsPerRegion / shape.keyCallConcurrency) * latency +
    (measured.s3PutsPerAccount + measured.s3GetsPerAccount + 4) * (a.storeLatencyMs / 1000) +
    a.childOverheadMs / 1000;
  const scanSeconds = Math.ceil(org.accounts / shape.mapConcurrency) * accountSeconds;
  const kmsRatePerAccountRegion = shape.keyCallConcurrency / latency;

  // PlanWaves: the summaries, SHARDS queries of 1 MB pages.
  const summaryPages = Math.ceil((org.accounts * measured.summaryItemBytes) / (shape.summaryShards * 2 ** 20));
  const planSeconds = summaryPages * (a.storeLatencyMs / 1000) + org.accounts * 0.00001;
  const planMemoryMb = (org.accounts * measured.summaryItemBytes * 3) / 2 ** 20;

  // Finalize of a scan: the summaries again (each carries its account's drift, counted by its
  // scan), the error records, and its CPU measured per account. After a remediation it also re-reads
  // the two scans of each remediated account, finalizeConcurrency at a time (not a daily scan's cost).
  const finalizeSeconds = planSeconds + (org.accounts * measured.finalizeCpuMsPerAccount) / 1000;
  const finalizeMemoryMb = planMemoryMb + (shape.finalizeConcurrency * 2 * keysPerAccount * measured.bytesPerFinding * 3) / 2 ** 20;

  const stage = (name: string, seconds: number, limitSeconds: number, bindsOn: string, memoryShare = 0): Stage => ({
    name,
    seconds,
    limitSeconds,
    shareOfLimit: Math.max(seconds / limitSeconds, memoryShare),
    bindsOn,
  });
  const stages: Stage[] = [
    stage('ListAccounts', listSeconds, shape.timeoutSeconds.ListAccounts, `Organizations paging (${a.organizationsPageSize} a page, ${shape.organizationsCallsPerSecond} calls/s)`),
    {
      ...stage('ScanAccounts', scanSeconds, Infinity, `Map concurrency (${shape.mapConcurrency} accounts at once; KMS at ${kmsRatePerAccountRegion.toFixed(0)} calls/s per account and Region, under its 1,000/s GetKeyRotationStatus quota)`),
      // The map has no timeout of its own: each child is one ScanAccount under its Lambda timeout.
      shareOfLimit: Math.max(accountSeconds / shape.timeoutSeconds.ScanAccount, shape.mapConcurrency / 1000),
    },
    stage('PlanWaves', planSeconds, shape.timeoutSeconds.PlanWaves, 'DynamoDB query pages of the account summaries', planMemoryMb / shape.memoryMb.PlanWaves),
    stage('Finalize', finalizeSeconds, shape.timeoutSeconds.Finalize, 'DynamoDB query pages of the account summaries (drift counted by each scan)', finalizeMemoryMb / shape.memoryMb.Finalize),
  ];
  const makespanSeconds = stages.reduce((n, s) => n + s.seconds, 0);

  const checkpointsPerRun = keys / (shape.retentionDays / 2);
  const writeUnits = org.accounts * measured.writeUnitsPerAccountUnchanged + checkpointsPerRun * Math.ceil(measured.historyItemBytes / 1024);
  const readUnits = org.accounts * measured.readUnitsPerAccount;
  const lambdaGbSeconds =
    org.accounts * accountSeconds * (shape.memoryMb.ScanAccount / 1024) +
    listSeconds * (shape.memoryMb.ListAccounts / 1024) +
    planSeconds * (shape.memoryMb.PlanWaves / 1024) +
    finalizeSeconds * (shape.memoryMb.Finalize / 1024);
  const children = Math.ceil(org.accounts / shape.accountsPerChild);
  const childTransitions = children * shape.transitionsPerChild + org.accounts * shape.transitionsPerAccount;
  // An Express child runs as long as its slowest account (the batch runs at once), plus its start.
  const expressGbSeconds = children * (accountSeconds + a.childOverheadMs / 1000) * (a.expressChildMb / 1024);
  const costItems = {
    stepFunctions: (shape.parentTransitions + childTransitions) * PRICES.stepFunctionsTransition,
    lambda: (org.accounts + 10) * PRICES.lambdaRequest + lambdaGbSeconds * PRICES.lambdaGbSecond,
    dynamodb: writeUnits * PRICES.dynamoWriteUnit + readUnits * PRICES.dynamoReadUnit,
    s3: org.accounts * (measured.s3PutsPerAccount * PRICES.s3Put + measured.s3GetsPerAccount * PRICES.s3Get),
  };
  const costPerRunUsd = Object.values(costItems).reduce((n, c) => n + c, 0);

  // Storage a year on: run records are kept; per-run items and history items live retentionDays.
  const dynamoBytes =
    365 * a.runRecordBytes +
    shape.retentionDays * org.accounts * measured.summaryItemBytes +
    // Alive per key: its latest item and, until it expires, the one before (a checkpoint every retention/2).
    2 * keys * measured.historyItemBytes +
    org.accounts * 128;
  const s3Bytes = shape.retentionDays * keys * measured.bytesPerFinding;
  const dynamoStorageGbAfterYear = dynamoBytes / GB;
  const s3StorageGb = s3Bytes / GB;
  const costPerMonthUsd = 30 * costPerRunUsd + dynamoStorageGbAfterYear * PRICES.dynamoStorageGbMonth + s3StorageGb * PRICES.s3StorageGbMonth;

  const busiestPartitionWrites = (org.accounts * Math.ceil(measured.summaryItemBytes / 1024)) / shape.summaryShards;
  const maxPartitionWriteShare = busiestPartitionWrites / scanSeconds / a.partitionWriteUnitsPerSecond;

  return {
    accounts: org.accounts,
    keys,
    stages,
    makespanSeconds,
    costPerRunUsd,
    costItems,
    stepFunctionsWithExpressChildrenUsd:
      shape.parentTransitions * PRICES.stepFunctionsTransition + children * PRICES.stepFunctionsExpressRequest + expressGbSeconds * PRICES.stepFunctionsExpressGbSecond,
    kmsRequestsPerRunUsd: keys * measured.kmsCallsPerKey * PRICES.kmsRequest,
    costPerMonthUsd,
    dynamoStorageGbAfterYear,
    s3StorageGb,
    maxPartitionWriteShare,
    stepsOverHalfLimit: stages.filter((s) => s.shareOfLimit > 0.5).map((s) => s.name),
    listAccountsWithTags: {
      seconds: listWithTagsSeconds,
      invocations: Math.ceil(listWithTagsSeconds / (shape.timeoutSeconds.ListAccounts - shape.listingMarginSeconds)),
      makespanSeconds: makespanSeconds - listSeconds + listWithTagsSeconds,
    },
  };
}
