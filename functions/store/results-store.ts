// The results store: runs, per-account summaries, error records, waves, remediation state, key
// history and exceptions in one DynamoDB table (keys in layout.ts), and each account's scan of a
// run as one object (S3, a folder, or memory). Works on DynamoDB and on dynalite.
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { dynamodbClient } from '../aws/clients/dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { AccountSummary, runCounts, WaveOutcome, type StatusCounts } from '../core/account-summary';
import { historyOfKey, outcomeChange, withEventFindings } from '../core/key-history';
import { EventRecord } from '../core/key-event';
import { ErrorRecord, ExceptionRecord, Finding, KeyChange, RunRecord, WaveRecord, type WaveSlice } from '../core/schemas';
import { byKeyScope, waveAtRank } from '../core/waves';
import { mapWithConcurrency } from '../aws/pool';
import { accountScanKey, EVENT_SK_PREFIX, eventsDayPartition, keys, SHARDS } from './layout';
import { S3ObjectStore, type ObjectStore } from './object-store';

const BATCH_SIZE = 25;
const BATCH_GET_SIZE = 100;
const MAX_BATCH_ROUNDS = 12;
/** Partitions or objects read at once when a step reads a whole run's accounts. */
const READ_CONCURRENCY = 16;
const DAY_S = 86_400;
export const DEFAULT_RETENTION_DAYS = 90;

type Item = Record<string, unknown>;

/** One account's scan of a run, as the object store keeps it: every Region scanned so far. */
export interface AccountScanRecord {
  runId: string;
  accountId: string;
  /** The Regions the run scans in the account; absent when an attempt stopped before knowing them. */
  regions?: string[];
  scannedRegions: string[];
  findings: Finding[];
  errors: ErrorRecord[];
}

/** What the store counts: items read and written per partition, objects read and written. */
export interface StoreCounters {
  itemsRead: number;
  itemsWritten: number;
  objectsRead: number;
  objectsWritten: number;
  /**
   * Write units per partition key (an item counts one unit per KiB, rounded up; twice for an item
   * the index holds: runs and handled events); only with `countWritesByPartition`, as it holds an
   * entry per key written (a warm function would keep every one it ever wrote).
   */
  writesByPartition: Map<string, number>;
}

export interface ResultsStoreOptions {
  /** Days that per-run and per-key items and scans are kept (the TTL attribute); run records are kept. */
  retentionDays?: number;
  now?: () => Date;
  /**
   * How a stored run record reads (getRun, runs): the CLI passes one that shows a RUNNING local run
   * whose process is gone as INTERRUPTED (core/runs.ts runAsSeen). The stored item is not changed.
   */
  runView?: (run: RunRecord) => RunRecord;
  /** Counts write units per partition key in `counters.writesByPartition` (the benchmark's spread of writes). */
  countWritesByPartition?: boolean;
}

const TYPE_FIELDS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'type', 'ttl'] as const;

function stripKeys(item: Item): Item {
  const rest = { ...item };
  for (const field of TYPE_FIELDS) delete rest[field];
  return rest;
}

/** A stored item its schema rejects: named by its key, with how to get rid of it when the CLI can. */
export class MalformedItemError extends Error {
  override readonly name = 'MalformedItemError';
  constructor(
    readonly what: string,
    readonly pk: string,
    readonly sk: string,
    readonly problem: string,
  ) {
    super(
      `the results store holds a malformed ${what} (${pk} / ${sk}): ${problem}` +
        (what === 'exception' ? `; \`rotor exceptions list\` shows it, \`rotor exceptions remove ${JSON.stringify(sk)}\` removes it` : ''),
    );
  }
}

/** Parses a stored item with its schema: a malformed item is an error that names it, never a silent cast. */
type Issues = { issues: readonly { path: readonly PropertyKey[]; message: string }[] };

/** A schema's complaints, one line: `field: message; …`. */
function issuesText(error: Issues): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(item)'}: ${i.message}`).join('; ');
}

function parseItem<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Issues } }, item: Item, what: string): T {
  const result = schema.safeParse(stripKeys(item));
  if (!result.success) throw new MalformedItemError(what, String(item.pk), String(item.sk), issuesText(result.error));
  return result.data;
}

/** An exception item as stored: parsed, or malformed (its key and what is wrong with it). */
export type StoredException = { ok: true; exception: ExceptionRecord } | { ok: false; target: string; problem: string; item: Item };

export class ResultsStore {
  readonly doc: DynamoDBDocumentClient;
  readonly counters: StoreCounters = { itemsRead: 0, itemsWritten: 0, objectsRead: 0, objectsWritten: 0, writesByPartition: new Map() };
  private readonly retentionDays: number;
  private readonly now: () => Date;
  private readonly runView: (run: RunRecord) => RunRecord;
  private readonly countWritesByPartition: boolean;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
    readonly objects: ObjectStore,
    options: ResultsStoreOptions = {},
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    this.now = options.now ?? (() => new Date());
    this.runView = options.runView ?? ((run) => run);
    this.countWritesByPartition = options.countWritesByPartition ?? false;
  }

  /** The store the deployed functions use: TABLE_NAME, RESULTS_BUCKET and RETENTION_DAYS, SDK configuration as is. */
  static fromEnv(config: DynamoDBClientConfig = {}): ResultsStore {
    const tableName = process.env.TABLE_NAME;
    if (!tableName) throw new Error('TABLE_NAME is not set: the results table is unknown');
    const bucket = process.env.RESULTS_BUCKET;
    if (!bucket) throw new Error('RESULTS_BUCKET is not set: the bucket of account scans is unknown');
    const retentionDays = process.env.RETENTION_DAYS ? Number(process.env.RETENTION_DAYS) : undefined;
    return new ResultsStore(dynamodbClient(config), tableName, new S3ObjectStore(bucket), { retentionDays });
  }

  /** Days a key's history item lives: a scan checkpoints an unchanged key after half of it. */
  get historyCheckpointDays(): number {
    return this.retentionDays / 2;
  }

  private ttl(): number {
    return Math.floor(this.now().getTime() / 1000) + this.retentionDays * DAY_S;
  }

  // ---- runs ----

  /** Creates the run record; a run id is never reused (a retried ValidateInput finds its own run). */
  async createRun(run: RunRecord): Promise<'created' | 'exists'> {
    try {
      await this.put({ ...keys.run(run.runId), ...keys.runsIndex(run.startedAt, run.runId), type: 'run', ...run }, 'attribute_not_exists(pk)');
      return 'created';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'exists';
      throw error;
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const item = await this.get(keys.run(runId));
    return item && this.runView(parseItem(RunRecord, item, 'run record'));
  }

  /** Sets fields of a run record (never its keys). */
  /**
   * Sets fields of a run record. With `whileStatus`, only while the stored status is that one (one
   * conditional write): false when it was not, and nothing changed.
   */
  async updateRun(runId: string, patch: Partial<Omit<RunRecord, 'runId' | 'startedAt'>>, whileStatus?: RunRecord['status']): Promise<boolean> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return true;
    const names: Record<string, string> = { ...(whileStatus ? { '#status': 'status' } : {}) };
    const values: Record<string, unknown> = { ...(whileStatus ? { ':status': whileStatus } : {}) };
    const sets = entries.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    const key = keys.run(runId);
    this.countWrite(key.pk, 1);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: whileStatus ? 'attribute_exists(pk) AND #status = :status' : 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (whileStatus && (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
    return true;
  }

  /** Runs, newest first. */
  async *runs(limit = Infinity): AsyncGenerator<RunRecord> {
    let n = 0;
    for await (const item of this.query({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': 'RUNS' }, ScanIndexForward: false })) {
      if (n++ >= limit) return;
      yield this.runView(parseItem(RunRecord, item, 'run record'));
    }
  }

  async latestRun(): Promise<RunRecord | undefined> {
    for await (const run of this.runs(1)) return run;
    return undefined;
  }

  // ---- accounts of a run ----

  async putAccountSummary(summary: AccountSummary): Promise<void> {
    await this.put({ ...keys.accountSummary(summary.runId, summary.accountId), type: 'account', ttl: this.ttl(), ...summary });
  }

  async getAccountSummary(runId: string, accountId: string): Promise<AccountSummary | undefined> {
    const item = await this.get(keys.accountSummary(runId, accountId));
    return item && parseItem(AccountSummary, item, 'account summary');
  }

  /** Every account summary and wave outcome of a run, in account order: SHARDS queries, O(accounts) items. */
  async accountsOfRun(runId: string): Promise<{ summaries: AccountSummary[]; outcomes: WaveOutcome[] }> {
    const summaries: AccountSummary[] = [];
    const outcomes: WaveOutcome[] = [];
    await mapWithConcurrency([...Array(SHARDS).keys()], READ_CONCURRENCY, async (shard) => {
      for await (const item of this.query({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.accountsPartition(runId, shard) } })) {
        if (item.type === 'outcome') outcomes.push(parseItem(WaveOutcome, item, 'wave outcome'));
        else summaries.push(parseItem(AccountSummary, item, 'account summary'));
      }
    });
    summaries.sort((a, b) => a.accountId.localeCompare(b.accountId));
    outcomes.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.wave - b.wave);
    return { summaries, outcomes };
  }

  /** Records what one account's slice of a wave came to (idempotent: a retry overwrites it). */
  async putWaveOutcome(outcome: WaveOutcome): Promise<void> {
    await this.put({ ...keys.waveOutcome(outcome.runId, outcome.accountId, outcome.wave), type: 'outcome', ttl: this.ttl(), ...outcome });
  }

  /** The outcomes of one wave's accounts: BatchGetItem, O(accounts of the wave). */
  async waveOutcomes(runId: string, wave: number, accountIds: readonly string[]): Promise<WaveOutcome[]> {
    const items = await this.batchGet(accountIds.map((accountId) => keys.waveOutcome(runId, accountId, wave)));
    return items.map((item) => parseItem(WaveOutcome, item, 'wave outcome'));
  }

  /** Counts per status of a run, from its account summaries and wave outcomes (never its findings). */
  async countByStatus(runId: string): Promise<StatusCounts> {
    const { summaries, outcomes } = await this.accountsOfRun(runId);
    return runCounts(summaries, outcomes);
  }

  // ---- an account's scan ----

  async putAccountScan(scan: AccountScanRecord): Promise<void> {
    this.counters.objectsWritten++;
    await this.objects.put(accountScanKey(scan.runId, scan.accountId), JSON.stringify(scan));
  }

  async getAccountScan(runId: string, accountId: string): Promise<AccountScanRecord | undefined> {
    this.counters.objectsRead++;
    const text = await this.objects.get(accountScanKey(runId, accountId));
    return text === undefined ? undefined : (JSON.parse(text) as AccountScanRecord);
  }

  /** The run that last scanned the account in full: what its next scan compares with. */
  async latestScanOf(accountId: string): Promise<string | undefined> {
    const item = await this.get(keys.latestScan(accountId));
    return typeof item?.runId === 'string' ? item.runId : undefined;
  }

  async setLatestScan(accountId: string, runId: string): Promise<void> {
    await this.put({ ...keys.latestScan(accountId), type: 'latest', accountId, runId });
  }

  // ---- findings ----

  /**
   * One account's findings of a run and its scan error records: the scan, with the remediation's
   * per-key state over it and each key's wave from the plan's slices.
   */
  async accountFindings(runId: string, accountId: string, slices: readonly (WaveSlice & { wave: number })[] = []): Promise<{ findings: Finding[]; errors: ErrorRecord[] }> {
    const scan = await this.getAccountScan(runId, accountId);
    if (!scan) return { findings: [], errors: [] };
    const overlay = new Map<string, Finding>();
    for await (const item of this.query({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.remediationPartition(runId, accountId) } })) {
      const finding = parseItem(Finding, item, 'finding');
      overlay.set(`${finding.region}#${finding.keyId}`, finding);
    }
    let rank = 0;
    const findings = [...scan.findings].sort(byKeyScope).map((f) => {
      const wave = f.status === 'NON_COMPLIANT' ? waveAtRank(slices, rank++) : undefined;
      const over = overlay.get(`${f.region}#${f.keyId}`);
      return over ? { ...over, wave } : wave === undefined ? f : { ...f, wave };
    });
    return { findings, errors: scan.errors };
  }

  /** The slices of every wave of a run, by account: what places a finding in its wave. */
  async slicesByAccount(runId: string): Promise<Map<string, (WaveSlice & { wave: number })[]>> {
    const byAccount = new Map<string, (WaveSlice & { wave: number })[]>();
    for await (const w of this.waves(runId)) {
      for (const slice of w.slices) byAccount.set(slice.accountId, [...(byAccount.get(slice.accountId) ?? []), { ...slice, wave: w.wave }]);
    }
    return byAccount;
  }

  /** A run's findings in account/Region/key order, optionally of one account; one account in memory at a time. */
  async *findings(runId: string, accountId?: string): AsyncGenerator<Finding> {
    const slices = await this.slicesByAccount(runId);
    const accounts = accountId ? [accountId] : (await this.accountsOfRun(runId)).summaries.map((s) => s.accountId);
    for (const id of accounts) yield* (await this.accountFindings(runId, id, slices.get(id))).findings;
  }

  /**
   * Records remediation state of keys: the intent (NON_COMPLIANT with enableRequestedAt) and each
   * outcome, which is also a change in the key's history.
   */
  async putFindings(findings: readonly Finding[]): Promise<void> {
    const ttl = this.ttl();
    await this.batchPut(findings.map((f) => ({ ...keys.remediation(f.runId, f.accountId, f.region, f.keyId), type: 'finding', ttl, ...f, wave: undefined })));
    const outcomes = findings.filter((f) => f.status !== 'NON_COMPLIANT');
    await this.putKeyChanges(outcomes.map((f) => outcomeChange({ ...f, wave: undefined }, f.remediatedAt ?? this.now().toISOString())), 'remediation');
  }

  // ---- key history ----

  async putKeyChanges(changes: readonly KeyChange[], source: 'scan' | 'remediation' = 'scan'): Promise<void> {
    const ttl = this.ttl();
    await this.batchPut(changes.map((c) => ({ ...keys.history(c.keyArn, c.runId, source), type: 'history', ttl, ...c })));
  }

  /**
   * One key's finding in each run that scanned its account and Region, oldest first: its history
   * items (one per change) and, per run since the first, that run's summary of the key's account.
   */
  async *keyHistory(keyArn: string): AsyncGenerator<Finding> {
    const changes: KeyChange[] = [];
    const events: EventRecord[] = [];
    for await (const item of this.query({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.historyPartition(keyArn) } })) {
      if (String(item.sk).startsWith(EVENT_SK_PREFIX)) events.push(parseItem(EventRecord, item, 'event record'));
      else changes.push(parseItem(KeyChange, item, 'key history item'));
    }
    yield* withEventFindings(await this.runFindingsOfKey(changes), events);
  }

  /** The key's finding in each run since its first change (see keyHistory). */
  private async runFindingsOfKey(changes: readonly KeyChange[]): Promise<Finding[]> {
    if (changes.length === 0) return [];
    const { accountId, region } = changes[0];
    const firstRuns = new Set(changes.map((c) => c.runId));
    const runs = [];
    let reachedFirst = false;
    const all: RunRecord[] = [];
    for await (const run of this.runs()) all.push(run);
    // Oldest first: runs before the key's first change never saw it.
    for (const run of all.reverse()) {
      reachedFirst ||= firstRuns.has(run.runId);
      if (!reachedFirst) continue;
      const summary = await this.getAccountSummary(run.runId, accountId);
      const scanned = summary?.scannedRegions.includes(region) ? { at: summary.scannedAt ?? run.startedAt } : undefined;
      runs.push({ runId: run.runId, startedAt: run.startedAt, scanned });
    }
    return historyOfKey(changes, runs);
  }

  // ---- handled events (continuous enforcement) ----

  /** Records what an event came to, in its key's partition; a later delivery of the same event overwrites it with the same. */
  async putEventRecord(record: EventRecord): Promise<void> {
    await this.put({ ...keys.event(record.keyArn, record.eventId), ...keys.eventsIndex(record.handledAt, record.eventId), type: 'event', ttl: this.ttl(), ...record });
  }

  /**
   * The events handled at or after `from` and before `to` (ISO times), oldest first: one index query
   * per UTC day of the window, O(events), never the findings. Days older than the retention are
   * skipped: their records have expired.
   */
  async *eventRecordsBetween(from: string, to: string): AsyncGenerator<EventRecord> {
    const oldest = new Date(Date.parse(to) - this.retentionDays * DAY_S * 1000).toISOString();
    const start = from > oldest ? from : oldest;
    // An empty window (a run finalized by a clock behind its start's) holds nothing; DynamoDB refuses a reversed BETWEEN.
    if (start >= to) return;
    for (let day = Date.parse(start.slice(0, 10)); day <= Date.parse(to.slice(0, 10)); day += DAY_S * 1000) {
      const partition = eventsDayPartition(new Date(day).toISOString());
      // <handledAt>#<eventId> BETWEEN from AND to: at or after `from`, before `to` (an id follows the time).
      for await (const item of this.query({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':p': partition, ':from': start, ':to': to },
      })) {
        yield parseItem(EventRecord, item, 'event record');
      }
    }
  }

  /** The record of an event already handled for this key, if any: what makes a repeated delivery a duplicate. */
  async getEventRecord(keyArn: string, eventId: string): Promise<EventRecord | undefined> {
    const item = await this.get(keys.event(keyArn, eventId));
    return item && parseItem(EventRecord, item, 'event record');
  }

  // ---- error records ----

  async putErrors(errors: readonly ErrorRecord[]): Promise<void> {
    const ttl = this.ttl();
    await this.batchPut(errors.map((e) => ({ ...keys.error(e), type: 'error', ttl, ...e })));
  }

  /** A run's error records: SHARDS queries. */
  async errors(runId: string): Promise<ErrorRecord[]> {
    const out: ErrorRecord[] = [];
    await mapWithConcurrency([...Array(SHARDS).keys()], READ_CONCURRENCY, async (shard) => {
      for await (const item of this.query({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.errorsPartition(runId, shard) } })) {
        out.push(parseItem(ErrorRecord, item, 'error record'));
      }
    });
    return out.sort((a, b) => a.accountId.localeCompare(b.accountId) || (a.region ?? '').localeCompare(b.region ?? '') || (a.keyId ?? '').localeCompare(b.keyId ?? ''));
  }

  // ---- waves ----

  async putWaves(waves: readonly WaveRecord[]): Promise<void> {
    const ttl = this.ttl();
    await this.batchPut(waves.map((w) => ({ ...keys.wave(w.runId, w.wave), type: 'wave', ttl, ...w })));
  }

  async getWave(runId: string, wave: number): Promise<WaveRecord | undefined> {
    const item = await this.get(keys.wave(runId, wave));
    return item && parseItem(WaveRecord, item, 'wave');
  }

  async *waves(runId: string): AsyncGenerator<WaveRecord> {
    const { pk } = keys.run(runId);
    for await (const item of this.query({ KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)', ExpressionAttributeValues: { ':p': pk, ':s': 'WAVE#' } })) {
      yield parseItem(WaveRecord, item, 'wave');
    }
  }

  // ---- exceptions ----

  /** Adds an exception; an existing one for the same target is not overwritten. */
  async addException(exception: ExceptionRecord): Promise<'created' | 'exists'> {
    try {
      await this.put({ ...keys.exception(exception.target), type: 'exception', ...exception }, 'attribute_not_exists(pk)');
      return 'created';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'exists';
      throw error;
    }
  }

  async removeException(target: string): Promise<boolean> {
    const out = await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: keys.exception(target), ReturnValues: 'ALL_OLD' }));
    return out.Attributes !== undefined;
  }

  /**
   * The exceptions; a malformed one is an error naming it (MalformedItemError), never skipped:
   * skipping it would let remediation enable a key someone meant to leave alone.
   */
  async exceptions(): Promise<ExceptionRecord[]> {
    const out: ExceptionRecord[] = [];
    for (const entry of await this.storedExceptions()) {
      if (!entry.ok) throw new MalformedItemError('exception', keys.exception('').pk, entry.target, entry.problem);
      out.push(entry.exception);
    }
    return out;
  }

  /** Every exception item, malformed ones included (for `rotor exceptions list` and `remove`). */
  async storedExceptions(): Promise<StoredException[]> {
    const out: StoredException[] = [];
    for await (const item of this.query({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.exception('').pk } })) {
      const parsed = ExceptionRecord.safeParse(stripKeys(item));
      if (parsed.success) out.push({ ok: true, exception: parsed.data });
      else out.push({ ok: false, target: String(item.sk), problem: issuesText(parsed.error), item: stripKeys(item) });
    }
    return out;
  }

  // ---- plumbing ----

  private countWrite(pk: string, units: number): void {
    this.counters.itemsWritten++;
    if (this.countWritesByPartition) this.counters.writesByPartition.set(pk, (this.counters.writesByPartition.get(pk) ?? 0) + units);
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    this.counters.itemsRead++;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item;
  }

  private async put(item: Item, condition?: string): Promise<void> {
    this.countWrite(String(item.pk), writeUnits(item));
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: condition }));
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
      this.counters.itemsRead += out.Items?.length ?? 0;
      for (const item of out.Items ?? []) yield item;
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  /** BatchGetItem in 100s (strongly consistent), retrying UnprocessedKeys; missing items are left out. */
  private async batchGet(keyList: readonly { pk: string; sk: string }[]): Promise<Item[]> {
    const out: Item[] = [];
    for (let i = 0; i < keyList.length; i += BATCH_GET_SIZE) {
      let pending = keyList.slice(i, i + BATCH_GET_SIZE) as Item[];
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_BATCH_ROUNDS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${round} rounds`);
        if (round > 0) await sleep(Math.min(2000, 50 * 2 ** round) * Math.random());
        const result = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
        const items = result.Responses?.[this.tableName] ?? [];
        this.counters.itemsRead += items.length;
        out.push(...items);
        pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
      }
    }
    return out;
  }

  /** BatchWriteItem in 25s, retrying UnprocessedItems with backoff until none are left. */
  private async batchPut(items: readonly Item[]): Promise<void> {
    // One batch may not name a key twice: the last write of a key wins, as it would in sequence.
    const unique = [...new Map(items.map((item) => [`${item.pk}\u0000${item.sk}`, item])).values()];
    for (let i = 0; i < unique.length; i += BATCH_SIZE) {
      let pending: { PutRequest: { Item: Item } }[] = unique.slice(i, i + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } }));
      for (const { PutRequest } of pending) this.countWrite(String(PutRequest.Item.pk), writeUnits(PutRequest.Item));
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_BATCH_ROUNDS) throw new Error(`BatchWriteItem left ${pending.length} items unprocessed after ${round} rounds`);
        if (round > 0) await sleep(Math.min(2000, 50 * 2 ** round) * Math.random());
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }
}

/** DynamoDB bills a write per KiB of item, rounded up (the index adds as many for run records and event records). */
function writeUnits(item: Item): number {
  const units = Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(item)) / 1024));
  return item.gsi1pk ? units * 2 : units;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
