// Sends a run's findings to Security Hub (BatchImportFindings), as `rotor securityhub export` and
// the deployed Finalize do: account by account, in batches of 100, the findings Security Hub
// reports as failed sent again with backoff a bounded number of times. The ASFF mapping is
// functions/core/asff.ts; the previous run (whose keys no longer listed are archived) is the one
// drift compares with.
import { BatchImportFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ASFF_BATCH_SIZE, asffOfAccount, type AsffComplianceStatus, type AsffContext } from '../core/asff';
import type { RunRecord } from '../core/schemas';
import type { ResultsStore } from '../store/results-store';
import { previousRunOf } from '../store/run-drift';
import { homeRegion, partitionOf } from './partition';
import { maxAttempts, ThrottlingTolerantRetry } from './clients/config';
import { stsClient } from './clients/sts';

/** Attempts per batch for the findings Security Hub reports in FailedFindings. */
export const IMPORT_ATTEMPTS = 4;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

export const securityHubClient = (region = homeRegion()) => new SecurityHubClient({ region, retryStrategy: new ThrottlingTolerantRetry(), maxAttempts: maxAttempts() });

export interface FailedImport {
  id: string;
  errorCode: string;
  errorMessage: string;
}

export interface ImportResult {
  imported: number;
  /** The findings still failed after every attempt, with Security Hub's last word on each. */
  failed: FailedImport[];
  requests: number;
}

export interface ImportOptions {
  attempts?: number;
  /** The first retry waits up to this long (full jitter), doubling each time. */
  baseDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Imports up to 100 findings; those reported failed are sent again, up to `attempts` calls in all. */
export async function importBatch(client: SecurityHubClient, findings: readonly AwsSecurityFinding[], options: ImportOptions = {}): Promise<ImportResult> {
  const attempts = options.attempts ?? IMPORT_ATTEMPTS;
  const baseDelayMs = options.baseDelayMs ?? BASE_DELAY_MS;
  let pending = [...findings];
  let failed: FailedImport[] = [];
  let requests = 0;
  for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
    if (attempt > 0) await sleep(Math.random() * Math.min(MAX_DELAY_MS, baseDelayMs * 2 ** (attempt - 1)));
    const out = await client.send(new BatchImportFindingsCommand({ Findings: pending }));
    requests++;
    failed = (out.FailedFindings ?? []).map((f) => ({ id: f.Id ?? '', errorCode: f.ErrorCode ?? '', errorMessage: f.ErrorMessage ?? '' }));
    const failedIds = new Set(failed.map((f) => f.id));
    pending = pending.filter((f) => failedIds.has(f.Id!));
  }
  return { imported: findings.length - pending.length, failed, requests };
}

/** Where the findings go: the hub of the account and Region the SDK's configuration names. */
export interface SecurityHubTarget {
  client: SecurityHubClient;
  context: AsffContext;
}

/** The calling account and its Region's hub (GetCallerIdentity needs no permission). */
export async function securityHubTarget(controls: AsffContext['controls'], region = homeRegion()): Promise<SecurityHubTarget> {
  const sts = stsClient(region);
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new Error('GetCallerIdentity returned no account');
    return { client: securityHubClient(region), context: { awsAccountId: identity.Account, partition: partitionOf(region), region, controls } };
  } finally {
    sts.destroy();
  }
}

export interface SecurityHubExport {
  runId: string;
  previousRunId: string | null;
  awsAccountId: string;
  region: string;
  /** Findings sent, by Compliance.Status, and the archived ones (keys gone) apart. */
  sent: Record<AsffComplianceStatus | 'ARCHIVED', number>;
  imported: number;
  failed: FailedImport[];
  requests: number;
}

/**
 * Sends the run's findings account by account (two accounts' findings in memory: this run's and
 * the previous run's), batched by 100.
 */
export async function exportRun(store: ResultsStore, run: RunRecord, target: SecurityHubTarget, now: Date, options: ImportOptions = {}): Promise<SecurityHubExport> {
  const previous = await previousRunOf(store, run);
  const result: SecurityHubExport = {
    runId: run.runId,
    previousRunId: previous?.runId ?? null,
    awsAccountId: target.context.awsAccountId,
    region: target.context.region,
    sent: { PASSED: 0, FAILED: 0, NOT_AVAILABLE: 0, ARCHIVED: 0 },
    imported: 0,
    failed: [],
    requests: 0,
  };
  const pending: AwsSecurityFinding[] = [];
  const send = async (findings: AwsSecurityFinding[]) => {
    const out = await importBatch(target.client, findings, options);
    result.imported += out.imported;
    result.failed.push(...out.failed);
    result.requests += out.requests;
  };
  const { summaries } = await store.accountsOfRun(run.runId);
  const slices = await store.slicesByAccount(run.runId);
  const goneAt = run.finishedAt ?? now.toISOString();
  for (const summary of summaries) {
    const current = await store.accountFindings(run.runId, summary.accountId, slices.get(summary.accountId));
    const before = previous ? (await store.accountFindings(previous.runId, summary.accountId)).findings : [];
    const findings = asffOfAccount({ ...current, scannedRegions: summary.scannedRegions }, before, target.context, goneAt);
    for (const f of findings) {
      if (f.RecordState === 'ARCHIVED') result.sent.ARCHIVED++;
      else result.sent[f.Compliance!.Status as AsffComplianceStatus]++;
    }
    pending.push(...findings);
    while (pending.length >= ASFF_BATCH_SIZE) await send(pending.splice(0, ASFF_BATCH_SIZE));
  }
  if (pending.length > 0) await send(pending);
  return result;
}
