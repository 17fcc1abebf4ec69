// Reads the Organization's accounts: ListAccounts (paginated), the OU tree when filters or
// priority rules need parents, and account tags when priority rules need them.
import {
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListRoots,
  paginateListTagsForResource,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { OrgAccount } from '../core/accounts';
import { mapWithConcurrency } from './pool';

/** Organizations allows a few calls a second per account: keep tag reads few at a time. */
const TAG_CONCURRENCY = 4;

function accountState(a: Account): string {
  // `Status` is retired in favour of `State`; older answers carry only Status.
  return (a as Account & { State?: string }).State ?? a.Status ?? 'UNKNOWN';
}

function toOrgAccount(a: Account, parentIds: string[]): OrgAccount {
  return { accountId: a.Id!, name: a.Name ?? '', state: accountState(a), parentIds, tags: {} };
}

/** Every account with its chain of parents (root and OUs), by walking the OU tree. */
async function accountsByTree(org: OrganizationsClient): Promise<OrgAccount[]> {
  const out: OrgAccount[] = [];
  const visit = async (parentId: string, chain: string[]): Promise<void> => {
    const path = [...chain, parentId];
    for await (const page of paginateListAccountsForParent({ client: org }, { ParentId: parentId, MaxResults: 20 })) {
      for (const a of page.Accounts ?? []) out.push(toOrgAccount(a, path));
    }
    for await (const page of paginateListOrganizationalUnitsForParent({ client: org }, { ParentId: parentId, MaxResults: 20 })) {
      for (const ou of page.OrganizationalUnits ?? []) await visit(ou.Id!, path);
    }
  };
  for await (const page of paginateListRoots({ client: org }, {})) {
    for (const root of page.Roots ?? []) await visit(root.Id!, []);
  }
  return out;
}

async function accountsByList(org: OrganizationsClient): Promise<OrgAccount[]> {
  const out: OrgAccount[] = [];
  for await (const page of paginateListAccounts({ client: org }, { MaxResults: 20 })) {
    for (const a of page.Accounts ?? []) out.push(toOrgAccount(a, []));
  }
  return out;
}

export async function listOrganizationAccounts(
  org: OrganizationsClient,
  options: { withParents: boolean; withTags: (a: OrgAccount) => boolean },
): Promise<OrgAccount[]> {
  const accounts = options.withParents ? await accountsByTree(org) : await accountsByList(org);
  await mapWithConcurrency(accounts.filter(options.withTags), TAG_CONCURRENCY, async (account) => {
    for await (const page of paginateListTagsForResource({ client: org }, { ResourceId: account.accountId })) {
      for (const t of page.Tags ?? []) if (t.Key) account.tags[t.Key] = t.Value ?? '';
    }
  });
  return accounts;
}
