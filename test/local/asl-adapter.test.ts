// The local engine's adapter: Distributed Maps become inline Maps, an ItemReader becomes a Task
// under the Map's name, and every ${substitution} must be known.
import { readFileSync } from 'node:fs';
import { adaptForLocalEngine, LOCAL_ITEMS_AT_ONCE, LOCAL_ITEMS_PATH } from '../../local/asl-adapter';
import { localDefinition } from '../../local/runner';
import { ASL_PATH, substitute } from '../../statemachine/asl';

type State = Record<string, unknown>;

describe('adaptForLocalEngine', () => {
  const deployed = JSON.parse(readFileSync(ASL_PATH, 'utf8').replace(/\$\{\w+\}/g, 'x')) as { States: Record<string, State> };

  it('turns the ScanAccounts Distributed Map into a reader Task under its name and an inline Map after it', () => {
    const { definition, itemReaders } = adaptForLocalEngine(deployed);
    const states = definition.States as Record<string, State>;
    expect(itemReaders).toEqual(['ScanAccounts']);
    expect(states.ScanAccounts).toMatchObject({
      Type: 'Task',
      Parameters: (deployed.States.ScanAccounts.ItemReader as State).Parameters,
      ResultPath: LOCAL_ITEMS_PATH,
      Next: 'ScanAccountsItems',
      Catch: deployed.States.ScanAccounts.Catch,
    });
    const map = states.ScanAccountsItems;
    expect(map).toMatchObject({ Type: 'Map', Next: 'PlanWaves', ResultPath: null });
    for (const field of ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailurePercentage']) expect(map).not.toHaveProperty(field);
    expect((map.ItemProcessor as State).ProcessorConfig).toBeUndefined();
    expect(Object.keys((map.ItemProcessor as { States: State }).States)).toEqual(['ScanBatch']);
  });

  it('cuts the items into the ItemBatcher\'s batches and gives each iteration { Items, BatchInput }, as a child execution gets them', () => {
    const states = adaptForLocalEngine(deployed).definition.States as Record<string, State>;
    const batcher = deployed.States.ScanAccounts.ItemBatcher as { MaxItemsPerBatch: number; BatchInput: State };
    expect(states.ScanAccounts.ResultSelector).toEqual({ 'batches.$': `States.ArrayPartition($, ${batcher.MaxItemsPerBatch})` });
    expect(states.ScanAccountsItems).toMatchObject({ ItemsPath: `${LOCAL_ITEMS_PATH}.batches`, ItemSelector: { 'Items.$': '$$.Map.Item.Value', BatchInput: batcher.BatchInput } });
    const withBytes = { States: { ...deployed.States, ScanAccounts: { ...deployed.States.ScanAccounts, ItemBatcher: { MaxInputBytesPerBatch: 1024 } } } };
    expect(() => adaptForLocalEngine(withBytes)).toThrow(/ScanAccounts: its ItemBatcher needs a whole MaxItemsPerBatch, not MaxInputBytesPerBatch/);
    const withoutReader = { States: { ...deployed.States, RemediateWave: { ...deployed.States.RemediateWave, ItemBatcher: { MaxItemsPerBatch: 2 } } } };
    expect(() => adaptForLocalEngine(withoutReader)).toThrow(/RemediateWave: an ItemBatcher is adapted only with an ItemReader/);
  });

  it('runs a batched Map one batch at a time, at most LOCAL_ITEMS_AT_ONCE of its items at once, and keeps the rest of the batch processor', () => {
    const map = adaptForLocalEngine(deployed).definition.States.ScanAccountsItems as State;
    const deployedBatch = (deployed.States.ScanAccounts.ItemProcessor as { States: Record<string, State> }).States.ScanBatch;
    const batch = (map.ItemProcessor as { States: Record<string, State> }).States.ScanBatch;
    expect(map.MaxConcurrency).toBe(1);
    expect(deployedBatch.MaxConcurrency).toBeGreaterThan(LOCAL_ITEMS_AT_ONCE);
    expect(batch.MaxConcurrency).toBe(LOCAL_ITEMS_AT_ONCE);
    expect((batch.ItemProcessor as State).States).toEqual((deployedBatch.ItemProcessor as State).States);
    // A batch Map of its own lower concurrency, or none, gets the lower of the two.
    const withBatch = (ScanBatch: State): { States: Record<string, State> } => ({ States: { ...deployed.States, ScanAccounts: { ...deployed.States.ScanAccounts, ItemProcessor: { ...(deployed.States.ScanAccounts.ItemProcessor as State), States: { ScanBatch } } } } });
    const concurrencyOf = (ScanBatch: State) =>
      ((adaptForLocalEngine(withBatch(ScanBatch)).definition.States.ScanAccountsItems as State).ItemProcessor as { States: Record<string, State> }).States.ScanBatch.MaxConcurrency;
    expect(concurrencyOf({ ...deployedBatch, MaxConcurrency: 2 })).toBe(2);
    expect(concurrencyOf({ ...deployedBatch, MaxConcurrency: undefined })).toBe(LOCAL_ITEMS_AT_ONCE);
    // An unbatched Map (a wave's accounts, each holding a wave's slice at most) keeps its concurrency.
    expect((adaptForLocalEngine(deployed).definition.States.RemediateWave as State).MaxConcurrency).toBe(deployed.States.RemediateWave.MaxConcurrency);
  });

  it('turns a Distributed Map over a payload path into an inline Map in place', () => {
    const states = adaptForLocalEngine(deployed).definition.States as Record<string, State>;
    expect(states.RemediateWave).toMatchObject({ Type: 'Map', ItemsPath: '$.currentWave.accounts', Next: 'ValidationGate' });
    expect(states.RemediateWave).not.toHaveProperty('ResultWriter');
  });

  it('leaves every other state as it is', () => {
    const states = adaptForLocalEngine(deployed).definition.States as Record<string, State>;
    for (const name of Object.keys(deployed.States).filter((n) => !['ScanAccounts', 'RemediateWave'].includes(n))) {
      expect(states[name]).toEqual(deployed.States[name]);
    }
  });

  it('refuses a definition whose reader name would collide', () => {
    const colliding = { States: { ...deployed.States, ScanAccountsItems: { Type: 'Pass', End: true } } };
    expect(() => adaptForLocalEngine(colliding)).toThrow(/ScanAccountsItems exists/);
  });
});

describe('substitute', () => {
  it('fills every placeholder and refuses an unknown one', () => {
    expect(substitute('{"a": "${X}"}', { X: 'arn' })).toBe('{"a": "arn"}');
    expect(() => substitute('${Missing}', {})).toThrow(/\$\{Missing\}, which has no substitution/);
  });

  it('the runner knows every placeholder of the ASL file', () => {
    expect(() => localDefinition()).not.toThrow();
  });
});
