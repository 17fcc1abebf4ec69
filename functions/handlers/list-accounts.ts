// ListAccounts: the accounts this run covers, written as the manifest the ScanAccounts
// Distributed Map reads (and Finalize checks every account against). Accounts asked for but not
// in the Organization become error records.
import { inRunScope, missingAccounts, needsOuTree, needsTags, selectAccounts, type OrgAccount } from '../core/accounts';
import type { ExecutionInput } from '../core/schemas';
import { organizationsClient } from '../aws/clients/organizations';
import { callerAccountId } from '../aws/credentials';
import type { ManifestLocation } from '../aws/manifests';
import { listOrganizationAccounts } from '../aws/organization';
import { lambdaHandler, type Step } from './deps';

export interface ListAccountsEvent {
  runId: string;
  config: ExecutionInput;
}

export interface ListAccountsResult {
  manifest: ManifestLocation;
  count: number;
}

/** Outside an Organization the caller's own account is the whole estate. */
async function organizationAccounts(config: ExecutionInput, caller: string): Promise<OrgAccount[]> {
  const org = organizationsClient();
  try {
    // Tags are read only for the accounts the run covers: one call per account adds up in a large Organization.
    return await listOrganizationAccounts(org, { withParents: needsOuTree(config), withTags: (a) => needsTags(config) && inRunScope(a, config) });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'AWSOrganizationsNotInUseException') return [{ accountId: caller, name: '', state: 'ACTIVE', parentIds: [], tags: {} }];
    if (name === 'AccessDeniedException') {
      throw new Error(
        `Organizations refused to list accounts for ${caller}: only the management account or a delegated administrator may (${(error as Error).message})`,
      );
    }
    throw error;
  } finally {
    org.destroy();
  }
}

export const listAccounts: Step<ListAccountsEvent, ListAccountsResult> = (deps) => async ({ runId, config }) => {
  const caller = await callerAccountId();
  const all = await organizationAccounts(config, caller);
  const selected = selectAccounts(all, config);
  const at = deps.now().toISOString();
  await deps.store.putErrors(
    missingAccounts(all, config).map((accountId) => ({
      runId,
      accountId,
      phase: 'list-accounts',
      error: 'not an ACTIVE account of the Organization',
      at,
    })),
  );
  const manifest = await deps.manifests.put(runId, 'accounts', selected);
  await deps.store.updateRun(runId, { accountCount: selected.length });
  return { manifest, count: selected.length };
};

export const handler = lambdaHandler('ListAccounts', listAccounts);
