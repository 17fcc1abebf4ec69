// Which accounts a run covers and which of them come first: pure selection over Organizations data.
import type { AccountTarget, ExecutionInput, OrgAccount } from './schemas';

export type { OrgAccount };

/** Priority accounts: a tag whose value is listed (case-insensitive), or an ancestor OU listed. */
export function isPriorityAccount(account: Pick<OrgAccount, 'tags' | 'parentIds'>, rules: ExecutionInput['priority']): boolean {
  const byTag = Object.entries(rules.accountTags).some(([key, values]) => {
    // Own tags only: an account's tags are a plain object, where `constructor` would otherwise be Object's.
    const value = Object.hasOwn(account.tags, key) ? account.tags[key] : undefined;
    return value !== undefined && values.some((v) => v.toLowerCase() === value.toLowerCase());
  });
  return byTag || account.parentIds.some((ou) => rules.organizationalUnits.includes(ou));
}

/**
 * Whether a run covers an account: ACTIVE, among `accounts` and in one of `organizationalUnits`
 * (or below it) when those are given, and not in `excludeAccounts`.
 */
export function inRunScope(account: Pick<OrgAccount, 'accountId' | 'state' | 'parentIds'>, input: ExecutionInput): boolean {
  return (
    account.state === 'ACTIVE' &&
    (!input.accounts || input.accounts.includes(account.accountId)) &&
    (!input.organizationalUnits || account.parentIds.some((p) => input.organizationalUnits!.includes(p))) &&
    !input.excludeAccounts.includes(account.accountId)
  );
}

/** The accounts a run scans (those in its scope), sorted by id, with their priority. */
export function selectAccounts(all: readonly OrgAccount[], input: ExecutionInput): AccountTarget[] {
  return all
    .filter((a) => inRunScope(a, input))
    .sort((a, b) => a.accountId.localeCompare(b.accountId))
    .map((a) => ({
      accountId: a.accountId,
      name: a.name,
      parentIds: a.parentIds,
      tags: a.tags,
      priority: isPriorityAccount(a, input.priority),
    }));
}

/** Account ids asked for by name that the Organization does not have (or not ACTIVE). */
export function missingAccounts(all: readonly OrgAccount[], input: ExecutionInput): string[] {
  if (!input.accounts) return [];
  const active = new Set(all.filter((a) => a.state === 'ACTIVE').map((a) => a.accountId));
  return input.accounts.filter((id) => !active.has(id));
}

/** Whether tags must be fetched: only priority rules read them. */
export function needsTags(input: ExecutionInput): boolean {
  return Object.keys(input.priority.accountTags).length > 0;
}

/** Whether the OU tree must be walked: OU filters and OU priority rules read account parents. */
export function needsOuTree(input: ExecutionInput): boolean {
  return (input.organizationalUnits?.length ?? 0) > 0 || input.priority.organizationalUnits.length > 0;
}
