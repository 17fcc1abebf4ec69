// ListAccounts at Organization scale: with tag-based priority a 10,000-account listing outlasts one
// invocation, so the step saves how far it read and the state machine invokes it again with the
// continuation; over every invocation each account's tags are read exactly once, and throttled
// calls are retried with backoff, never skipped or repeated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { MemoryManifestStore } from '../../functions/aws/manifests';
import { newRun } from '../../functions/core/runs';
import { AccountTarget, ExecutionInput } from '../../functions/core/schemas';
import { listAccountsAt, type ListAccountsEvent, type ListAccountsResult } from '../../functions/handlers/list-accounts';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { buildLargeScenario, startSimulator, type SimulatedOrganization } from '../../local/sim';
import { useSimulatorEnv } from '../../local/simulator-env';

let embedded: EmbeddedStore;
beforeAll(async () => {
  embedded = await startEmbeddedStore();
});
afterAll(() => embedded.close());

/** A Lambda's clock that has time for `calls` more checks, then says the budget is spent. */
const budgetOf = (calls: number) => {
  let checks = 0;
  return () => (checks++ < calls ? 600_000 : 0);
};

/** Successful calls of an Organizations operation (throttled answers are not reads). */
const answered = (sim: SimulatedOrganization, operation: string) =>
  sim.callCounts({ service: 'organizations', operation }).reduce((n, c) => n + c.calls - Object.values(c.errors).reduce((a, b) => a + b, 0), 0);
const throttled = (sim: SimulatedOrganization, operation: string) =>
  sim.callCounts({ service: 'organizations', operation }).reduce((n, c) => n + (c.errors.TooManyRequestsException ?? 0), 0);

async function withSimulator<T>(options: Parameters<typeof startSimulator>[0], extraEnv: Record<string, string>, fn: (sim: SimulatedOrganization) => Promise<T>): Promise<T> {
  const sim = await startSimulator(options);
  const restore = useSimulatorEnv(sim, extraEnv);
  try {
    return await fn(sim);
  } finally {
    restore();
    await sim.close();
  }
}

/** Invokes ListAccounts as the state machine does until it writes the manifest; each invocation with `calls` of budget. */
async function listToTheEnd(runId: string, config: ExecutionInput, manifests: MemoryManifestStore, calls: number, pace = { callsPerSecond: 100_000, backoffMs: 2 }) {
  await embedded.store.createRun(newRun(runId, config, new Date('2026-12-01T00:00:00Z')));
  const step = listAccountsAt(pace);
  let listing: ListAccountsEvent['listing'] = {};
  for (let invocations = 1; invocations < 1000; invocations++) {
    const result: ListAccountsResult = await step({ store: embedded.store, manifests, now: () => new Date(), timeLeftMs: budgetOf(calls) })({ runId, config, listing });
    if ('manifest' in result) {
      const accounts = (await manifests.get(result.manifest)).map((a) => AccountTarget.parse(a));
      return { invocations, count: result.count, accounts };
    }
    listing = result;
  }
  throw new Error('ListAccounts never finished');
}

test('10,000 accounts with tag-based priority: listed over several short invocations, every account and its tags read exactly once', async () => {
  const accounts = 10_000;
  const config = ExecutionInput.parse({ priority: { accountTags: { environment: ['production'] } } });
  await withSimulator({ scenario: buildLargeScenario({ accounts, keysPerAccount: 0 }) }, {}, async (sim) => {
    const manifests = new MemoryManifestStore();
    const out = await listToTheEnd('list-10k', config, manifests, 2_000);
    // 500 ListAccounts pages and 10,000 tag reads at about 2,000 calls an invocation.
    expect(out.invocations).toBeGreaterThanOrEqual(5);
    expect(out.count).toBe(accounts);
    expect(new Set(out.accounts.map((a) => a.accountId)).size).toBe(accounts);
    expect(answered(sim, 'ListAccounts')).toBe(accounts / 20);
    expect(answered(sim, 'ListTagsForResource')).toBe(accounts);
    const tags = new Map(sim.accounts().map((a) => [a.id, a.tags]));
    for (const a of out.accounts) {
      expect(a.tags).toEqual(tags.get(a.accountId));
      expect(a.priority).toBe(a.tags.environment === 'production');
    }
    expect(out.accounts.filter((a) => a.priority).length).toBeGreaterThan(0);
    expect(await embedded.store.getRun('list-10k')).toMatchObject({ accountCount: accounts });
  });
}, 180_000);

test('the OU tree with throttling: each throttled call waits and is asked again, every page and tag read once, the same accounts as an unthrottled listing', async () => {
  const scenario = buildLargeScenario({ accounts: 240, keysPerAccount: 0, organizationalUnits: 6 });
  const production = scenario.organizationalUnits![0].id;
  const config = ExecutionInput.parse({ organizationalUnits: [production, scenario.organizationalUnits![1].id], priority: { accountTags: { environment: ['production'] }, organizationalUnits: [production] } });
  const reference = await withSimulator({ scenario }, {}, async () => listToTheEnd('list-tree-once', config, new MemoryManifestStore(), Number.MAX_SAFE_INTEGER));
  const inScope = scenario.accounts.filter((a) => a.parent === production || a.parent === scenario.organizationalUnits![1].id).length;
  expect(reference.invocations).toBe(1);
  expect(reference.count).toBe(inScope);
  // Each parent's accounts in pages of 20 (a parent with none still answers one page).
  const parents = [scenario.rootId, ...scenario.organizationalUnits!.map((ou) => ou.id)];
  const accountPages = parents.reduce((n, p) => n + Math.max(1, Math.ceil(scenario.accounts.filter((a) => (a.parent ?? scenario.rootId) === p).length / 20)), 0);

  // Organizations answers at most 20 a second of each operation; we ask faster and the SDK does not retry.
  const quotas = { ListTagsForResource: 20, ListAccountsForParent: 20, ListOrganizationalUnitsForParent: 20, ListRoots: 20 };
  await withSimulator({ scenario, quotas }, { AWS_MAX_ATTEMPTS: '1' }, async (sim) => {
    const out = await listToTheEnd('list-tree-throttled', config, new MemoryManifestStore(), 25, { callsPerSecond: 1_000, backoffMs: 20 });
    expect(out.invocations).toBeGreaterThan(3);
    expect(throttled(sim, 'ListTagsForResource')).toBeGreaterThan(0);
    expect(out.accounts).toEqual(reference.accounts);
    expect(answered(sim, 'ListTagsForResource')).toBe(inScope);
    expect(answered(sim, 'ListAccountsForParent')).toBe(accountPages);
    expect(answered(sim, 'ListOrganizationalUnitsForParent')).toBe(parents.length);
    expect(answered(sim, 'ListRoots')).toBe(1);
  });
}, 120_000);

test('the state machine loops ListAccounts on its continuation until the manifest is written', async () => {
  const asl = JSON.parse(readFileSync(join(__dirname, '..', '..', 'statemachine', 'rollout.asl.json'), 'utf8')) as { States: Record<string, Record<string, unknown>> };
  const local = ({ Catch: _catch, ...state }: Record<string, unknown>) => (state.Resource ? { ...state, Resource: 'arn:aws:lambda:us-east-1:000000000000:function:ListAccounts' } : state);
  // The states from the listing's start to the scan map, which here ends the execution.
  const listing = ['StartListing', 'ListAccounts', 'AccountsListed'];
  const definition = {
    StartAt: 'StartListing',
    States: { ...Object.fromEntries(listing.map((name) => [name, local(asl.States[name])])), ScanAccounts: { Type: 'Succeed' } },
  };
  const config = ExecutionInput.parse({ priority: { accountTags: { environment: ['production'] } } });
  await withSimulator({ scenario: buildLargeScenario({ accounts: 300, keysPerAccount: 0 }) }, {}, async (sim) => {
    await embedded.store.createRun(newRun('list-asl', config, new Date('2026-12-01T00:00:00Z')));
    const manifests = new MemoryManifestStore();
    const step = listAccountsAt({ callsPerSecond: 100_000, backoffMs: 2 });
    let invocations = 0;
    const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    const execution = machine.run({ runId: 'list-asl', config } as never, {
      overrides: {
        taskResourceLocalHandlers: {
          ListAccounts: async (event: unknown) => {
            invocations++;
            const out = await step({ store: embedded.store, manifests, now: () => new Date(), timeLeftMs: budgetOf(100) })(event as ListAccountsEvent);
            return JSON.parse(JSON.stringify(out));
          },
        } as never,
      },
    });
    const output = (await execution.result) as { accounts: { count: number; manifest: unknown; continuation?: unknown } };
    expect(invocations).toBeGreaterThanOrEqual(3);
    expect(output.accounts.count).toBe(300);
    expect(output.accounts.continuation).toBeUndefined();
    expect(answered(sim, 'ListTagsForResource')).toBe(300);
    expect(answered(sim, 'ListAccounts')).toBe(15);
  });
}, 60_000);
