// ScanAccount: one account of the ScanAccounts map. Findings and error records are written
// here, by the function that produced them; only counts go back to the state machine.
import { scanAccount } from '../aws/account-scan';
import { ThrottlingError } from '../aws/clients';
import type { AccountTarget, ExecutionInput } from '../core/schemas';
import { lambdaHandler, type Step } from './deps';

export interface ScanAccountEvent {
  runId: string;
  config: ExecutionInput;
  account: AccountTarget;
}

export interface ScanAccountResult {
  accountId: string;
  keys: number;
  errors: number;
}

export const scanAccountStep: Step<ScanAccountEvent, ScanAccountResult> = (deps) => async ({ runId, config, account }) => {
  const exceptions = await deps.store.exceptions();
  // A retry (after throttling) scans only the Regions an earlier attempt did not finish.
  const done = new Set((await deps.store.getAccount(runId, account.accountId))?.scannedRegions ?? []);
  const { findings, errors, throttled, completed } = await scanAccount(runId, account, config, exceptions, deps.now, done);
  await deps.store.putFindings(findings);
  await deps.store.markRegionsScanned(runId, account.accountId, completed);
  if (throttled.length > 0) throw new ThrottlingError(`KMS kept throttling in ${account.accountId} ${throttled.join(', ')} after the SDK's retries`);
  await deps.store.putErrors(errors);
  await deps.store.markScanned(runId, account.accountId, deps.now().toISOString());
  return { accountId: account.accountId, keys: findings.length, errors: errors.length };
};

export const handler = lambdaHandler(scanAccountStep);
