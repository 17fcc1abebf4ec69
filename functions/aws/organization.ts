// Reads the Organization's accounts, resumably: ListAccounts pages (or the OU tree's, when filters
// or priority rules need parents), then the tags of the accounts priority rules read. Each call is
// one unit of an AccountListing (a page, or one account's tags) that is marked done only once
// answered, so a step short of time can save the listing and its next invocation goes on from
// there. Calls are paced under the Organizations request rate and retried with backoff when throttled.
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { AccountListing, ListingPage, OrgAccount } from '../core/schemas';
import { isThrottling } from './errors';
import { RatePacer } from './pool';

/**
 * Calls a second we make to Organizations. Its quota is per management account, shared with
 * every other caller there: 8/s keeps ours at about 80% of the roughly 10/s it allows.
 */
export const ORGANIZATIONS_CALLS_PER_SECOND = 8;

/** Tag reads in flight: enough to keep the pace when a call takes longer than 1/8 s. */
const TAG_CONCURRENCY = 4;

/** The first retry of a throttled call waits up to this long; each next one twice as long, up to 64×. */
export const THROTTLE_BACKOFF_MS = 500;

export interface ListingPace {
  callsPerSecond: number;
  backoffMs: number;
}

export interface ListingOptions {
  pace: ListingPace;
  /** Which accounts' tags to read (asked once every page is read, so parents are known). */
  wantsTags: (account: OrgAccount) => boolean;
  /** True when the caller must stop and save the listing. */
  outOfTime: () => boolean;
}

/** A listing at its start: the flat account list, or the OU tree from its roots. */
export function startListing(withParents: boolean): AccountListing {
  return { pages: [{ list: withParents ? 'roots' : 'accounts', chain: [] }], accounts: [] };
}

function accountState(a: Account): string {
  // `Status` is retired in favour of `State`; older answers carry only Status.
  return (a as Account & { State?: string }).State ?? a.Status ?? 'UNKNOWN';
}

function toOrgAccount(a: Account, parentIds: string[]): OrgAccount {
  return { accountId: a.Id!, name: a.Name ?? '', state: accountState(a), parentIds, tags: {} };
}

/** One call for `page`; applies its answer to `listing` (new accounts, new pages to read). */
async function readPage(org: OrganizationsClient, listing: AccountListing, page: ListingPage): Promise<void> {
  const paging = { NextToken: page.nextToken, MaxResults: 20 };
  const path = page.parentId === undefined ? [] : [...page.chain, page.parentId];
  let next: string | undefined;
  switch (page.list) {
    case 'accounts': {
      const out = await org.send(new ListAccountsCommand(paging));
      for (const a of out.Accounts ?? []) listing.accounts.push(toOrgAccount(a, []));
      next = out.NextToken;
      break;
    }
    case 'accountsOf': {
      const out = await org.send(new ListAccountsForParentCommand({ ParentId: page.parentId, ...paging }));
      for (const a of out.Accounts ?? []) listing.accounts.push(toOrgAccount(a, path));
      next = out.NextToken;
      break;
    }
    case 'roots': {
      const out = await org.send(new ListRootsCommand(paging));
      for (const root of out.Roots ?? []) listing.pages.push({ list: 'accountsOf', parentId: root.Id!, chain: [] }, { list: 'ousOf', parentId: root.Id!, chain: [] });
      next = out.NextToken;
      break;
    }
    case 'ousOf': {
      const out = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: page.parentId, ...paging }));
      for (const ou of out.OrganizationalUnits ?? []) listing.pages.push({ list: 'accountsOf', parentId: ou.Id!, chain: path }, { list: 'ousOf', parentId: ou.Id!, chain: path });
      next = out.NextToken;
      break;
    }
  }
  if (next) page.nextToken = next;
  else listing.pages.splice(listing.pages.indexOf(page), 1);
}

/** Every page of one account's tags (at most 50 tags: three pages). */
async function readTags(org: OrganizationsClient, accountId: string, pacer: RatePacer): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let token: string | undefined;
  do {
    if (token) await pacer.take();
    const out = await org.send(new ListTagsForResourceCommand({ ResourceId: accountId, NextToken: token }));
    for (const t of out.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
    token = out.NextToken;
  } while (token);
  return tags;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `call` at the pace, retried while throttled (after the SDK's own retries) with full-jitter
 * exponential backoff; undefined when time ran short first, and the unit stays to do.
 */
async function paced<T>(pacer: RatePacer, options: ListingOptions, call: () => Promise<T>): Promise<{ value: T } | undefined> {
  for (let attempt = 0; ; attempt++) {
    if (options.outOfTime()) return undefined;
    await pacer.take();
    try {
      return { value: await call() };
    } catch (error) {
      if (!isThrottling(error)) throw error;
      await sleep(Math.random() * options.pace.backoffMs * 2 ** Math.min(attempt, 6));
    }
  }
}

/**
 * Reads on from where `listing` stands (it is updated in place, one answered call at a time)
 * until it is complete (true) or `outOfTime()` (false: save it and call again with it).
 */
export async function continueListing(org: OrganizationsClient, listing: AccountListing, options: ListingOptions): Promise<boolean> {
  const pacer = new RatePacer(options.pace.callsPerSecond);
  while (listing.pages.length > 0) {
    const page = listing.pages[0];
    if (!(await paced(pacer, options, () => readPage(org, listing, page)))) return false;
  }
  listing.tagsToRead ??= listing.accounts.filter(options.wantsTags).map((a) => a.accountId);
  const byId = new Map(listing.accounts.map((a) => [a.accountId, a]));
  while (listing.tagsToRead.length > 0) {
    const batch = listing.tagsToRead.slice(0, TAG_CONCURRENCY);
    const read = new Set<string>();
    await Promise.all(
      batch.map(async (accountId) => {
        const tags = await paced(pacer, options, () => readTags(org, accountId, pacer));
        if (!tags) return;
        byId.get(accountId)!.tags = tags.value;
        read.add(accountId);
      }),
    );
    listing.tagsToRead = [...batch.filter((id) => !read.has(id)), ...listing.tagsToRead.slice(batch.length)];
    if (read.size < batch.length) return false;
  }
  return true;
}
