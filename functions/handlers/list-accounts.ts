// ListAccounts: the accounts this run covers, written as the manifest the ScanAccounts
// Distributed Map reads (and Finalize checks every account against). Accounts asked for but not
// in the Organization become error records. A large Organization with tag-based priority takes
// longer than one invocation: the step then saves how far it read and returns a continuation,
// and the state machine invokes it again with that until the manifest is written.
import { inRunScope, missingAccounts, needsOuTree, needsTags, selectAccounts } from '../core/accounts';
import { AccountListing, ListingContinuation, type ExecutionInput, type OrgAccount } from '../core/schemas';
import { organizationsClient } from '../aws/clients/organizations';
import { callerAccountId } from '../aws/credentials';
import type { ManifestLocation } from '../aws/manifests';
import { continueListing, ORGANIZATIONS_CALLS_PER_SECOND, startListing, THROTTLE_BACKOFF_MS, type ListingPace } from '../aws/organization';
import { lambdaHandler, type HandlerDeps, type Step } from './deps';

export interface ListAccountsEvent {
  runId: string;
  config: ExecutionInput;
  /** The previous invocation's result: `{ continuation }` to go on from, or nothing (`{}`) to start. */
  listing?: { continuation?: unknown };
}

export type ListAccountsResult = { manifest: ManifestLocation; count: number } | { continuation: ListingContinuation };

/** Stop reading this long before Lambda's timeout: enough to save the listing. */
const SAFETY_MARGIN_MS = 30_000;

/** The manifest name of a run's saved listing (one object, overwritten by each save). */
const LISTING = 'accounts-listing';

async function savedListing(deps: HandlerDeps, listing: ListAccountsEvent['listing']): Promise<AccountListing | undefined> {
  if (listing?.continuation === undefined) return undefined;
  const { checkpoint } = ListingContinuation.parse(listing.continuation);
  const [saved] = await deps.manifests.get(checkpoint);
  return AccountListing.parse(saved);
}

/** ListAccounts calling Organizations at `pace` (the deployed step uses the defaults). */
export function listAccountsAt(pace: ListingPace): Step<ListAccountsEvent, ListAccountsResult> {
  return (deps) =>
    async ({ runId, config, listing }) => {
      const caller = await callerAccountId();
      const progress = (await savedListing(deps, listing)) ?? startListing(needsOuTree(config));
      const save = () => deps.manifests.put(runId, LISTING, [progress]);
      const outOfTime = () => (deps.timeLeftMs ? deps.timeLeftMs() < SAFETY_MARGIN_MS : false);
      const org = organizationsClient();
      let all: OrgAccount[];
      try {
        // Tags are read only for the accounts the run covers: one call per account adds up in a large Organization.
        const complete = await continueListing(org, progress, { pace, outOfTime, wantsTags: (a) => needsTags(config) && inRunScope(a, config) });
        if (!complete) {
          const checkpoint = await save();
          return { continuation: { checkpoint, accountsRead: progress.accounts.length, tagsLeft: progress.tagsToRead?.length ?? 0 } };
        }
        all = progress.accounts;
      } catch (error) {
        const name = (error as Error).name;
        // Outside an Organization the caller's own account is the whole estate.
        if (name === 'AWSOrganizationsNotInUseException') all = [{ accountId: caller, name: '', state: 'ACTIVE', parentIds: [], tags: {} }];
        else if (name === 'AccessDeniedException') {
          throw new Error(
            `Organizations refused to list accounts for ${caller}: only the management account or a delegated administrator may (${(error as Error).message})`,
          );
        } else {
          // A retry of a continued invocation reads the save, so the calls answered so far stay done.
          if (listing?.continuation !== undefined) await save();
          throw error;
        }
      } finally {
        org.destroy();
      }
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
}

export const step = listAccountsAt({ callsPerSecond: ORGANIZATIONS_CALLS_PER_SECOND, backoffMs: THROTTLE_BACKOFF_MS });

export const handler = lambdaHandler('ListAccounts', step);
