// The simulated Resource Groups Tagging API (awsJson1_1, target prefix ResourceGroupsTaggingAPI_20170126):
// GetResources over the caller's KMS keys, the call other tools (Cloud Custodian) read key tags with.
import { AwsError } from './errors';
import { decodePageToken, encodePageToken } from './paging';
import type { Identity, KeyRecord, OrganizationState } from './state';

export interface TaggingContext {
  state: OrganizationState;
  caller: Identity;
  region: string;
}

type Input = Record<string, unknown>;

const MAX_ARNS = 100;
const DEFAULT_PAGE = 50;

function invalid(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

function mapping(key: KeyRecord): Record<string, unknown> {
  return { ResourceARN: key.arn, Tags: Object.entries(key.tags).map(([Key, Value]) => ({ Key, Value })) };
}

/** Only resources that carry tags are listed, as AWS lists them. */
function tagged(key: KeyRecord): boolean {
  return Object.keys(key.tags).length > 0;
}

function stringList(input: Input, name: string): string[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw invalid(`${name} must be a list of strings`);
  return v as string[];
}

export const TAGGING_OPERATIONS: Record<string, (ctx: TaggingContext, input: Input) => Record<string, unknown>> = {
  GetResources(ctx, input) {
    const keys = ctx.state.keysIn(ctx.caller.accountId, ctx.region);
    const arns = stringList(input, 'ResourceARNList');
    if (arns !== undefined) {
      if (arns.length < 1 || arns.length > MAX_ARNS) throw invalid(`ResourceARNList must hold 1 to ${MAX_ARNS} ARNs`);
      if (input.ResourceTypeFilters !== undefined || input.TagFilters !== undefined) {
        throw invalid('ResourceARNList cannot be combined with ResourceTypeFilters or TagFilters');
      }
      const wanted = new Set(arns);
      return { ResourceTagMappingList: keys.filter((k) => wanted.has(k.arn) && tagged(k)).map(mapping), PaginationToken: '' };
    }
    const types = stringList(input, 'ResourceTypeFilters');
    const listsKeys = types === undefined || types.some((t) => t === 'kms' || t === 'kms:key');
    const perPage = input.ResourcesPerPage ?? DEFAULT_PAGE;
    if (typeof perPage !== 'number' || !Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw invalid('ResourcesPerPage must be between 1 and 100');
    const scope = `GetResources/${ctx.caller.accountId}/${ctx.region}`;
    let offset = 0;
    if (typeof input.PaginationToken === 'string' && input.PaginationToken !== '') {
      const decoded = decodePageToken(input.PaginationToken, scope);
      if (decoded === undefined) throw new AwsError('PaginationTokenExpiredException', 'The pagination token is not valid.');
      offset = decoded;
    }
    const all = listsKeys ? keys.filter(tagged) : [];
    const next = offset + perPage;
    return {
      ResourceTagMappingList: all.slice(offset, next).map(mapping),
      PaginationToken: next < all.length ? encodePageToken(next, scope) : '',
    };
  },
};
