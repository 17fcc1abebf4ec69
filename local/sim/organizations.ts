// The simulated AWS Organizations (awsJson1_1, target prefix AWSOrganizationsV20161128): the
// organization tree, accounts with State and the legacy Status, tags; management-account only.
import { AwsError } from './errors';
import { decodePageToken, encodePageToken } from './paging';
import type { AccountRecord, Identity, OrganizationState } from './state';

export interface OrganizationsContext {
  state: OrganizationState;
  caller: Identity;
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

const DEFAULT_PAGE = 20;

function invalidInput(reason: string, message: string): AwsError {
  return new AwsError('InvalidInputException', message, 400, { Reason: reason });
}

function maxResults(input: Input): number {
  const v = input.MaxResults;
  if (v === undefined || v === null) return DEFAULT_PAGE;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidInput('INVALID_INPUT', 'MaxResults must be an integer.');
  if (v < 1) throw invalidInput('MIN_VALUE_EXCEEDED', 'You provided a value that is less than the minimum allowed value (1) for MaxResults.');
  if (v > 20) throw invalidInput('MAX_VALUE_EXCEEDED', 'You provided a value that exceeds the maximum allowed value (20) for MaxResults.');
  return v;
}

function page<T>(items: T[], scope: string, input: Input): { items: T[]; NextToken?: string } {
  const limit = maxResults(input);
  let offset = 0;
  if (input.NextToken !== undefined && input.NextToken !== null) {
    const decoded = typeof input.NextToken === 'string' ? decodePageToken(input.NextToken, scope) : undefined;
    if (decoded === undefined) throw invalidInput('INVALID_PAGINATION_TOKEN', 'The specified pagination token is not valid.');
    offset = decoded;
  }
  const next = offset + limit;
  const slice = items.slice(offset, next);
  return next < items.length ? { items: slice, NextToken: encodePageToken(next, scope) } : { items: slice };
}

function withToken(out: Output, p: { NextToken?: string }): Output {
  return p.NextToken ? { ...out, NextToken: p.NextToken } : out;
}

function arnPrefix(state: OrganizationState): string {
  return `arn:aws:organizations::${state.managementAccountId}`;
}

function legacyStatus(state: AccountRecord['state']): string {
  if (state === 'CLOSED') return 'SUSPENDED';
  if (state === 'PENDING_ACTIVATION') return 'ACTIVE';
  return state;
}

function accountShape(state: OrganizationState, a: AccountRecord): Output {
  return {
    Id: a.id,
    Arn: `${arnPrefix(state)}:account/${state.scenario.organizationId}/${a.id}`,
    Email: a.email,
    Name: a.name,
    Status: legacyStatus(a.state),
    State: a.state,
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: a.joinedTimestamp.getTime() / 1000,
  };
}

function ouShape(state: OrganizationState, ou: { id: string; name: string }): Output {
  return { Id: ou.id, Arn: `${arnPrefix(state)}:ou/${state.scenario.organizationId}/${ou.id}`, Name: ou.name };
}

function rootShape(state: OrganizationState): Output {
  return {
    Id: state.scenario.rootId,
    Arn: `${arnPrefix(state)}:root/${state.scenario.organizationId}/${state.scenario.rootId}`,
    Name: 'Root',
    PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
  };
}

function requireParent(state: OrganizationState, input: Input): string {
  const parentId = input.ParentId;
  if (typeof parentId !== 'string') throw invalidInput('INVALID_INPUT', 'ParentId is required.');
  if (parentId !== state.scenario.rootId && !state.organizationalUnits.some((o) => o.id === parentId)) {
    throw new AwsError('ParentNotFoundException', 'We can\'t find a root or OU with the ParentId that you specified.');
  }
  return parentId;
}

function accountsUnder(state: OrganizationState, parentId: string): AccountRecord[] {
  return [...state.accounts.values()].filter((a) => a.parent === parentId);
}

function requireAccount(state: OrganizationState, accountId: unknown): AccountRecord {
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) throw invalidInput('INVALID_PATTERN', 'You provided a value that does not match the required pattern for AccountId.');
  const account = state.account(accountId);
  if (!account) throw new AwsError('AccountNotFoundException', 'You specified an account that doesn\'t exist.');
  return account;
}

type Handler = (ctx: OrganizationsContext, input: Input) => Output;

/** Operations that member accounts may call as well (the rest need the management account or a delegated administrator). */
const OPEN_TO_MEMBERS = new Set(['DescribeOrganization']);

export const ORGANIZATIONS_OPERATIONS: Record<string, Handler> = {
  DescribeOrganization({ state }) {
    const m = state.account(state.managementAccountId)!;
    return {
      Organization: {
        Id: state.scenario.organizationId,
        Arn: `${arnPrefix(state)}:organization/${state.scenario.organizationId}`,
        FeatureSet: 'ALL',
        MasterAccountArn: `${arnPrefix(state)}:account/${state.scenario.organizationId}/${m.id}`,
        MasterAccountId: m.id,
        MasterAccountEmail: m.email,
        AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
      },
    };
  },

  ListRoots({ state }, input) {
    const p = page([rootShape(state)], 'ListRoots', input);
    return withToken({ Roots: p.items }, p);
  },

  ListAccounts({ state }, input) {
    const p = page([...state.accounts.values()], 'ListAccounts', input);
    return withToken({ Accounts: p.items.map((a) => accountShape(state, a)) }, p);
  },

  ListAccountsForParent({ state }, input) {
    const parentId = requireParent(state, input);
    const p = page(accountsUnder(state, parentId), `ListAccountsForParent/${parentId}`, input);
    return withToken({ Accounts: p.items.map((a) => accountShape(state, a)) }, p);
  },

  ListOrganizationalUnitsForParent({ state }, input) {
    const parentId = requireParent(state, input);
    const p = page(state.organizationalUnits.filter((o) => o.parent === parentId), `ListOrganizationalUnitsForParent/${parentId}`, input);
    return withToken({ OrganizationalUnits: p.items.map((o) => ouShape(state, o)) }, p);
  },

  ListChildren({ state }, input) {
    const parentId = requireParent(state, input);
    const childType = input.ChildType;
    if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') throw invalidInput('INVALID_ENUM', 'ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.');
    const children = childType === 'ACCOUNT'
      ? accountsUnder(state, parentId).map((a) => ({ Id: a.id, Type: 'ACCOUNT' }))
      : state.organizationalUnits.filter((o) => o.parent === parentId).map((o) => ({ Id: o.id, Type: 'ORGANIZATIONAL_UNIT' }));
    const p = page(children, `ListChildren/${parentId}/${childType}`, input);
    return withToken({ Children: p.items }, p);
  },

  ListParents({ state }, input) {
    const childId = input.ChildId;
    if (typeof childId !== 'string') throw invalidInput('INVALID_INPUT', 'ChildId is required.');
    const parent = state.account(childId)?.parent ?? state.organizationalUnits.find((o) => o.id === childId)?.parent;
    if (!parent) throw new AwsError('ChildNotFoundException', 'We can\'t find an organizational unit (OU) or AWS account with the ChildId that you specified.');
    const p = page([{ Id: parent, Type: parent === state.scenario.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }], `ListParents/${childId}`, input);
    return withToken({ Parents: p.items }, p);
  },

  ListTagsForResource({ state }, input) {
    const resourceId = input.ResourceId;
    if (typeof resourceId !== 'string') throw invalidInput('INVALID_INPUT', 'ResourceId is required.');
    let tags: Record<string, string> | undefined;
    if (resourceId === state.scenario.rootId) tags = {};
    else tags = state.account(resourceId)?.tags ?? state.organizationalUnits.find((o) => o.id === resourceId)?.tags;
    if (!tags) throw new AwsError('TargetNotFoundException', 'We can\'t find a resource that matches the ResourceId that you specified.');
    const p = page(Object.entries(tags).map(([Key, Value]) => ({ Key, Value })), `ListTagsForResource/${resourceId}`, input);
    return withToken({ Tags: p.items }, p);
  },

  DescribeAccount({ state }, input) {
    return { Account: accountShape(state, requireAccount(state, input.AccountId)) };
  },

  DescribeOrganizationalUnit({ state }, input) {
    const ou = state.organizationalUnits.find((o) => o.id === input.OrganizationalUnitId);
    if (!ou) throw new AwsError('OrganizationalUnitNotFoundException', 'We can\'t find an OU with the OrganizationalUnitId that you specified.');
    return { OrganizationalUnit: ouShape(state, ou) };
  },
};

/** Refuses callers that AWS refuses: accounts outside the organization, and members (for most operations). */
export function authorizeOrganizations(ctx: OrganizationsContext, operation: string): void {
  const { state, caller } = ctx;
  if (!state.account(caller.accountId)) {
    throw new AwsError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  }
  if (OPEN_TO_MEMBERS.has(operation)) return;
  if (caller.accountId !== state.managementAccountId && !state.scenario.delegatedAdministrators.includes(caller.accountId)) {
    throw new AwsError('AccessDeniedException', 'You don\'t have permissions to access this resource.', 403);
  }
}
