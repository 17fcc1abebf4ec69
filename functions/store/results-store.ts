// The results store: runs, accounts, findings, error records, waves and exceptions in one
// DynamoDB table (see docs/architecture.md for the keys). Works on DynamoDB and on dynalite.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  FINDING_STATUSES,
  type AccountTarget,
  type ErrorRecord,
  type ExceptionRecord,
  type Finding,
  type FindingStatus,
  type RunRecord,
} from '../core/schemas';

const BATCH_SIZE = 25;
const MAX_BATCH_ROUNDS = 12;

type Item = Record<string, unknown>;

/** A stored wave: the accounts it fans out over and how many keys it holds. */
export interface WaveRecord {
  runId: string;
  wave: number;
  accounts: string[];
  keyCount: number;
}

const runPk = (runId: string) => `RUN#${runId}`;
const findingSk = (f: Pick<Finding, 'accountId' | 'region' | 'keyId'>) => `FINDING#${f.accountId}#${f.region}#${f.keyId}`;
const waveSk = (wave: number) => `WAVE#${String(wave).padStart(6, '0')}`;
/** One error record per scope and step: a later wave's failure does not overwrite an earlier one's. */
const errorSk = (e: ErrorRecord) =>
  ['ERROR', e.accountId, e.region ?? '-', e.phase, e.wave === undefined ? undefined : String(e.wave).padStart(6, '0'), e.keyId].filter((p) => p !== undefined).join('#');

function stripKeys<T>(item: Item | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, type: _t, ...rest } = item;
  return rest as T;
}

export function findingItem(f: Finding): Item {
  return {
    pk: runPk(f.runId),
    sk: findingSk(f),
    type: 'finding',
    gsi1pk: `${runPk(f.runId)}#STATUS#${f.status}`,
    gsi1sk: `${f.accountId}#${f.region}#${f.keyId}`,
    gsi2pk: `KEY#${f.keyArn}`,
    gsi2sk: `${f.scannedAt}#${f.runId}`,
    ...f,
  };
}

export class ResultsStore {
  readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** The store the deployed functions use: the table named by TABLE_NAME, SDK configuration as is. */
  static fromEnv(config: DynamoDBClientConfig = {}): ResultsStore {
    const tableName = process.env.TABLE_NAME;
    if (!tableName) throw new Error('TABLE_NAME is not set: the results table is unknown');
    return new ResultsStore(new DynamoDBClient({ retryMode: 'adaptive', maxAttempts: 8, ...config }), tableName);
  }

  // ---- runs ----

  /** Creates the run record; a run id is never reused (a retried ValidateInput finds its own run). */
  async createRun(run: RunRecord): Promise<'created' | 'exists'> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: runPk(run.runId), sk: 'RUN', type: 'run', gsi1pk: 'RUNS', gsi1sk: `${run.startedAt}#${run.runId}`, ...run },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'exists';
      throw error;
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: runPk(runId), sk: 'RUN' }, ConsistentRead: true }));
    return stripKeys<RunRecord>(out.Item);
  }

  /** Sets fields of a run record (never its keys). */
  async updateRun(runId: string, patch: Partial<Omit<RunRecord, 'runId' | 'startedAt'>>): Promise<void> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = entries.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: runPk(runId), sk: 'RUN' },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Runs, newest first. */
  async *runs(limit = Infinity): AsyncGenerator<RunRecord> {
    let n = 0;
    for await (const item of this.query({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': 'RUNS' }, ScanIndexForward: false })) {
      if (n++ >= limit) return;
      yield stripKeys<RunRecord>(item)!;
    }
  }

  async latestRun(): Promise<RunRecord | undefined> {
    for await (const run of this.runs(1)) return run;
    return undefined;
  }

  // ---- accounts of a run ----

  async putAccounts(runId: string, accounts: readonly AccountTarget[]): Promise<void> {
    await this.batchPut(accounts.map((a) => ({ pk: runPk(runId), sk: `ACCOUNT#${a.accountId}`, type: 'account', runId, ...a })));
  }

  async *accounts(runId: string): AsyncGenerator<AccountTarget & { scannedAt?: string }> {
    for await (const item of this.query(this.prefix(runId, 'ACCOUNT#'))) yield stripKeys<AccountTarget & { runId: string; scannedAt?: string }>(item)!;
  }

  async getAccount(runId: string, accountId: string): Promise<(AccountTarget & { scannedAt?: string; scannedRegions: string[] }) | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: runPk(runId), sk: `ACCOUNT#${accountId}` }, ConsistentRead: true }));
    const account = stripKeys<AccountTarget & { scannedAt?: string; scannedRegions?: Set<string> }>(out.Item);
    return account && { ...account, scannedRegions: [...(account.scannedRegions ?? [])] };
  }

  /** Records Regions of an account whose findings are written, so a retried scan skips them. */
  async markRegionsScanned(runId: string, accountId: string, regions: readonly string[]): Promise<void> {
    if (regions.length === 0) return;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: runPk(runId), sk: `ACCOUNT#${accountId}` },
        UpdateExpression: 'ADD scannedRegions :regions',
        ExpressionAttributeValues: { ':regions': new Set(regions) },
      }),
    );
  }

  /** Marks an account of a run as scanned (its findings and error records are written). */
  async markScanned(runId: string, accountId: string, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: runPk(runId), sk: `ACCOUNT#${accountId}` },
        UpdateExpression: 'SET scannedAt = :at',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  // ---- findings ----

  async putFindings(findings: readonly Finding[]): Promise<void> {
    await this.batchPut(findings.map(findingItem));
  }

  /** A run's findings in account/Region/key order, optionally of one account. */
  async *findings(runId: string, accountId?: string): AsyncGenerator<Finding> {
    const prefix = accountId ? `FINDING#${accountId}#` : 'FINDING#';
    for await (const item of this.query(this.prefix(runId, prefix))) yield stripKeys<Finding>(item)!;
  }

  /**
   * A run's findings of one status from the table itself (strongly consistent): what the
   * workflow decides on (the plan) must see every write that came before it.
   */
  async *findingsWithStatus(runId: string, status: FindingStatus): AsyncGenerator<Finding> {
    for await (const item of this.query({
      ...this.prefix(runId, 'FINDING#'),
      FilterExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':p': runPk(runId), ':s': 'FINDING#', ':status': status },
    })) {
      yield stripKeys<Finding>(item)!;
    }
  }

  /** A run's findings of one status from the status index (eventually consistent): for reports. */
  async *findingsByStatus(runId: string, status: FindingStatus): AsyncGenerator<Finding> {
    for await (const item of this.query({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `${runPk(runId)}#STATUS#${status}` },
    })) {
      yield stripKeys<Finding>(item)!;
    }
  }

  /**
   * Counts per status, read from the table (strongly consistent, only the status projected),
   * so Finalize counts every write of the run; no finding is held in memory.
   */
  async countByStatus(runId: string): Promise<Partial<Record<FindingStatus, number>>> {
    const summary: Partial<Record<FindingStatus, number>> = {};
    for await (const item of this.query({ ...this.prefix(runId, 'FINDING#'), ProjectionExpression: '#status', ExpressionAttributeNames: { '#status': 'status' } })) {
      const status = item.status as FindingStatus;
      summary[status] = (summary[status] ?? 0) + 1;
    }
    return Object.fromEntries(FINDING_STATUSES.filter((s) => summary[s]).map((s) => [s, summary[s]]));
  }

  /** One key's findings across runs, oldest first. */
  async *keyHistory(keyArn: string): AsyncGenerator<Finding> {
    for await (const item of this.query({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': `KEY#${keyArn}` } })) {
      yield stripKeys<Finding>(item)!;
    }
  }

  // ---- error records ----

  async putErrors(errors: readonly ErrorRecord[]): Promise<void> {
    await this.batchPut(
      errors.map((e) => ({ pk: runPk(e.runId), sk: errorSk(e), type: 'error', ...e })),
    );
  }

  async errors(runId: string): Promise<ErrorRecord[]> {
    const out: ErrorRecord[] = [];
    for await (const item of this.query(this.prefix(runId, 'ERROR#'))) out.push(stripKeys<ErrorRecord>(item)!);
    return out;
  }

  // ---- waves ----

  async putWaves(waves: readonly WaveRecord[]): Promise<void> {
    await this.batchPut(waves.map((w) => ({ pk: runPk(w.runId), sk: waveSk(w.wave), type: 'wave', ...w })));
  }

  async getWave(runId: string, wave: number): Promise<WaveRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: runPk(runId), sk: waveSk(wave) }, ConsistentRead: true }));
    return stripKeys<WaveRecord>(out.Item);
  }

  async *waves(runId: string): AsyncGenerator<WaveRecord> {
    for await (const item of this.query(this.prefix(runId, 'WAVE#'))) yield stripKeys<WaveRecord>(item)!;
  }

  // ---- exceptions ----

  /** Adds an exception; an existing one for the same target is not overwritten. */
  async addException(exception: ExceptionRecord): Promise<'created' | 'exists'> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: 'EXCEPTION', sk: exception.target, type: 'exception', ...exception },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'exists';
      throw error;
    }
  }

  async removeException(target: string): Promise<boolean> {
    const out = await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: 'EXCEPTION', sk: target }, ReturnValues: 'ALL_OLD' }));
    return out.Attributes !== undefined;
  }

  async exceptions(): Promise<ExceptionRecord[]> {
    const out: ExceptionRecord[] = [];
    for await (const item of this.query({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'EXCEPTION' } })) {
      out.push(stripKeys<ExceptionRecord>(item)!);
    }
    return out;
  }

  // ---- plumbing ----

  private prefix(runId: string, skPrefix: string): Omit<QueryCommandInput, 'TableName'> {
    return {
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': runPk(runId), ':s': skPrefix },
    };
  }

  /**
   * Every item of a query, page by page: memory stays at one page. Queries of the table itself
   * are strongly consistent (indexes cannot be): a step reads what the step before it wrote.
   */
  private async *query(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<Item> {
    let ExclusiveStartKey: Item | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({ ConsistentRead: input.IndexName ? undefined : true, ...input, TableName: this.tableName, ExclusiveStartKey }),
      );
      for (const item of out.Items ?? []) yield item;
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  /** BatchWriteItem in 25s, retrying UnprocessedItems with backoff until none are left. */
  private async batchPut(items: readonly Item[]): Promise<void> {
    // One batch may not name a key twice: the last write of a key wins, as it would in sequence.
    const unique = [...new Map(items.map((item) => [`${item.pk}\u0000${item.sk}`, item])).values()];
    for (let i = 0; i < unique.length; i += BATCH_SIZE) {
      let pending: { PutRequest: { Item: Item } }[] = unique.slice(i, i + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } }));
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_BATCH_ROUNDS) throw new Error(`BatchWriteItem left ${pending.length} items unprocessed after ${round} rounds`);
        if (round > 0) await sleep(Math.min(2000, 50 * 2 ** round) * Math.random());
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
