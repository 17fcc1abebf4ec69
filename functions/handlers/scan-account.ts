// ScanAccount: one account of the ScanAccounts map. Findings and error records are written
// here, by the function that produced them; only counts go back to the state machine.
import { scanAccount } from '../aws/account-scan';
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
  const { findings, errors } = await scanAccount(runId, account, config, exceptions, deps.now);
  await deps.store.putFindings(findings);
  await deps.store.putErrors(errors);
  await deps.store.markScanned(runId, account.accountId, deps.now().toISOString());
  return { accountId: account.accountId, keys: findings.length, errors: errors.length };
};

export const handler = lambdaHandler(scanAccountStep);
