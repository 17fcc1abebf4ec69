import { isPriorityAccount, missingAccounts, selectAccounts, type OrgAccount } from '../../functions/core/accounts';
import { ExecutionInput } from '../../functions/core/schemas';

const acct = (accountId: string, over: Partial<OrgAccount> = {}): OrgAccount => ({ accountId, name: accountId, state: 'ACTIVE', parentIds: ['r-ab12'], tags: {}, ...over });
const all = [
  acct('111111111111', { tags: { environment: 'Production' } }),
  acct('222222222222', { parentIds: ['r-ab12', 'ou-ab12-11111111'] }),
  acct('333333333333', { state: 'SUSPENDED' }),
  acct('444444444444', { parentIds: ['r-ab12', 'ou-ab12-11111111', 'ou-ab12-22222222'] }),
];

describe('selectAccounts', () => {
  it('keeps ACTIVE accounts and marks the priority ones', () => {
    const input = ExecutionInput.parse({ priority: { accountTags: { environment: ['production'] } } });
    const selected = selectAccounts(all, input);
    expect(selected.map((a) => a.accountId)).toEqual(['111111111111', '222222222222', '444444444444']);
    expect(selected.find((a) => a.accountId === '111111111111')?.priority).toBe(true);
  });

  it('narrows to accounts and OUs (nested included), minus exclusions', () => {
    const byOu = selectAccounts(all, ExecutionInput.parse({ organizationalUnits: ['ou-ab12-11111111'] }));
    expect(byOu.map((a) => a.accountId)).toEqual(['222222222222', '444444444444']);
    const excluded = selectAccounts(all, ExecutionInput.parse({ organizationalUnits: ['ou-ab12-11111111'], excludeAccounts: ['444444444444'] }));
    expect(excluded.map((a) => a.accountId)).toEqual(['222222222222']);
    expect(selectAccounts(all, ExecutionInput.parse({ accounts: ['111111111111'] })).map((a) => a.accountId)).toEqual(['111111111111']);
  });

  it('a rule named like an Object property (the schema refuses one) reads only tags the account has', () => {
    const rules = { accountTags: { constructor: ['x'], toString: ['y'] }, organizationalUnits: [] };
    expect(isPriorityAccount(acct('555555555555'), rules)).toBe(false);
    expect(isPriorityAccount(acct('555555555555', { tags: { constructor: 'X' } }), rules)).toBe(true);
  });

  it('names accounts asked for that are not ACTIVE members', () => {
    expect(missingAccounts(all, ExecutionInput.parse({ accounts: ['111111111111', '333333333333', '999999999999'] }))).toEqual(['333333333333', '999999999999']);
  });

  it('priority by OU ancestor', () => {
    const rules = ExecutionInput.parse({ priority: { organizationalUnits: ['ou-ab12-11111111'] } }).priority;
    expect(isPriorityAccount(all[3], rules)).toBe(true);
    expect(isPriorityAccount(all[0], rules)).toBe(false);
  });
});
