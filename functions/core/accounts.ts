// Which accounts a run covers and which of them come first: pure selection over Organizations data.
import type { AccountTarget, ExecutionInput } from './schemas';

export interface OrgAccount {
  accountId: string;
  name: string;
  state: string;
  parentIds: string[];
  tags: Record<string, string>;
}

/** Priority accounts: a tag whose value is listed (case-insensitive), or an ancestor OU listed. */
export function isPriorityAccount(account: Pick<OrgAccount, 'tags' | 'parentIds'>, rules: ExecutionInput['priority']): boolean {
  const byTag = Object.entries(rules.accountTags).some(([key, values]) => {
    const value = account.tags[key];
    return value !== undefined && values.some((v) => v.toLowerCase() === value.toLowerCase());
  });
  return byTag || account.parentIds.some((ou) => rules.organizationalUnits.includes(ou));
}

/**
 * The accounts a run scans: ACTIVE only, narrowed to `accounts` and `organizationalUnits` (an
 * account in any listed OU or below it) when given, minus `excludeAccounts`, sorted by id.
 */
export function selectAccounts(all: readonly OrgAccount[], input: ExecutionInput, callerAccountId: string): AccountTarget[] {
  const wanted = input.accounts ? new Set(input.accounts) : undefined;
  const excluded = new Set(input.excludeAccounts);
  const ous = input.organizationalUnits;
  return all
    .filter((a) => a.state === 'ACTIVE')
    .filter((a) => !wanted || wanted.has(a.accountId))
    .filter((a) => !ous || a.parentIds.some((p) => ous.includes(p)))
    .filter((a) => !excluded.has(a.accountId))
    .sort((a, b) => a.accountId.localeCompare(b.accountId))
    .map((a) => ({
      accountId: a.accountId,
      name: a.name,
      parentIds: a.parentIds,
      tags: a.tags,
      isManagement: a.accountId === callerAccountId,
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
