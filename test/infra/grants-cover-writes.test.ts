// The synthesized IAM policies against what the handlers really do: a scan and then a remediate
// rollout of the standard scenario run in-process (the local runner, the embedded store), every
// table write and every object read or write is attributed to the function whose handler made it,
// and each is checked against that function's policy in the template, as IAM would evaluate it
// (actions, resources, dynamodb:LeadingKeys conditions). A write the policy would deny fails here,
// not in the deployed run.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ManifestStore } from '../../functions/aws/manifests';
import { MemoryObjectStore } from '../../functions/store/object-store';
import { STEP_FUNCTIONS as HANDLERS, type StepFunctionId as HandlerId } from '../../statemachine/steps';
import { runLocal } from '../../local/runner';
import { standardScenarioPath } from '../scenarios';
import { startHarness, type Harness } from '../support/harness';
import { actionMatches, buildApp, logicalId, roleStatements, type BuiltApp, type Json } from './support';

interface Op {
  handler: HandlerId;
  action: string;
  /** dynamodb: the partition keys of the request; s3: the object key. */
  pks?: string[];
  key?: string;
}

// Each handler module's step runs inside a context that names its function (RecordError serves
// both Catch states, Finalize both Finalize states), so what the store does can be attributed.
function mockWrap(path: string, handlerId: string): Json {
  const actual = jest.requireActual(path);
  const context: AsyncLocalStorage<string> = ((globalThis as Json).__mockGrantContext ??= new (jest.requireActual('node:async_hooks').AsyncLocalStorage)());
  return { ...actual, step: (deps: unknown) => (event: unknown) => context.run(handlerId, () => actual.step(deps)(event)) };
}
jest.mock('../../functions/handlers/validate-input', () => mockWrap('../../functions/handlers/validate-input', 'ValidateInput'));
jest.mock('../../functions/handlers/list-accounts', () => mockWrap('../../functions/handlers/list-accounts', 'ListAccounts'));
jest.mock('../../functions/handlers/scan-account', () => mockWrap('../../functions/handlers/scan-account', 'ScanAccount'));
jest.mock('../../functions/handlers/record-error', () => mockWrap('../../functions/handlers/record-error', 'RecordError'));
jest.mock('../../functions/handlers/plan-waves', () => mockWrap('../../functions/handlers/plan-waves', 'PlanWaves'));
jest.mock('../../functions/handlers/get-wave', () => mockWrap('../../functions/handlers/get-wave', 'GetWave'));
jest.mock('../../functions/handlers/remediate-account', () => mockWrap('../../functions/handlers/remediate-account', 'RemediateAccount'));
jest.mock('../../functions/handlers/validation-gate', () => mockWrap('../../functions/handlers/validation-gate', 'ValidationGate'));
jest.mock('../../functions/handlers/finalize', () => mockWrap('../../functions/handlers/finalize', 'Finalize'));

const context = (): AsyncLocalStorage<string> => ((globalThis as Json).__mockGrantContext ??= new AsyncLocalStorage<string>());

const TABLE_COMMANDS: Record<string, string> = {
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  BatchWriteCommand: 'BatchWriteItem',
};

let h: Harness;
let built: BuiltApp;
const ops: Op[] = [];
/** What happened outside every handler: the ItemReader's manifest reads and the local runner's own run-record writes. */
const unattributed: Omit<Op, 'handler'>[] = [];

function record(op: Omit<Op, 'handler'>): void {
  const handler = context().getStore() as HandlerId | undefined;
  if (handler) ops.push({ handler, ...op });
  else unattributed.push(op);
}

/** An object store whose reads and writes are recorded (the bucket's keys as the function would ask for them). */
function recorded<T extends { put(key: string, body: string): Promise<void>; get(key: string): Promise<string | undefined> }>(objects: T): T {
  const put = objects.put.bind(objects);
  const get = objects.get.bind(objects);
  objects.put = async (key, body) => (record({ action: 's3:PutObject', key }), put(key, body));
  objects.get = async (key) => (record({ action: 's3:GetObject', key }), get(key));
  return objects;
}

beforeAll(async () => {
  built = buildApp({}, { bundle: false });
  h = await startHarness({ scenario: standardScenarioPath });
  const store = h.embedded.store;
  recorded(store.objects);
  const send = store.doc.send.bind(store.doc);
  jest.spyOn(store.doc, 'send').mockImplementation(((command: { constructor: { name: string }; input: Json }) => {
    const action = TABLE_COMMANDS[command.constructor.name];
    if (action) {
      const input = command.input;
      const pks =
        action === 'BatchWriteItem'
          ? Object.values<Json[]>(input.RequestItems).flat().map((r) => (r.PutRequest?.Item ?? r.DeleteRequest?.Key).pk)
          : [(input.Item ?? input.Key).pk];
      record({ action: `dynamodb:${action}`, pks });
    }
    return send(command as never);
  }) as never);
  const manifests = new ManifestStore(recorded(new MemoryObjectStore()), 'results-bucket');
  const run = (input: Json) => runLocal({ runId: `grants-${ops.length}-${Date.now()}`, ...input }, { store, manifests, retryDelayMs: 5 });
  // A scan, then a remediation that compares with it; one account's remediation cannot get its role.
  expect((await run({ mode: 'scan' })).executionStatus).toBe('SUCCEEDED');
  const dryRun = await run({ mode: 'scan' });
  h.sim.addFault({ type: 'operation-error', service: 'sts', operation: 'AssumeRole', accountId: '100000000003', error: 'AccessDenied' });
  await run({ mode: 'remediate', waves: { size: 50 } });
  // RecordRemediationError as the Catch calls it when an account's remediation keeps failing: on a
  // scan's (dry-run) wave plan, whose keys are still NON_COMPLIANT.
  const wave = (await store.getWave(dryRun.runId, 1))!;
  const { step: recordError } = jest.requireMock('../../functions/handlers/record-error');
  await recordError({ store, manifests, now: () => new Date() })({ runId: dryRun.runId, accountId: wave.accounts[0], phase: 'remediate', wave: 1, failure: { Error: 'States.Timeout' } });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

/** IAM's StringLike: `*` any run of characters, `?` one, case-sensitive. */
const like = (pattern: string, value: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);

/** A resource of the template as a pattern over `TABLE` and `BUCKET` (the only resources the ops name). */
function resourcePattern(resource: unknown, ids: { table: string; bucket: string }): string {
  if (typeof resource === 'string') return resource;
  const node = resource as Json;
  if (node['Fn::GetAtt']?.[1] === 'Arn') return node['Fn::GetAtt'][0] === ids.table ? 'TABLE' : node['Fn::GetAtt'][0] === ids.bucket ? 'BUCKET' : `<${node['Fn::GetAtt'][0]}>`;
  if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map((part) => resourcePattern(part, ids)).join(node['Fn::Join'][0]);
  return JSON.stringify(resource);
}

function conditionHolds(condition: Json | undefined, pks: string[]): boolean {
  for (const [operator, keys] of Object.entries<Json>(condition ?? {})) {
    for (const [key, values] of Object.entries<string | string[]>(keys)) {
      if (key !== 'dynamodb:LeadingKeys') throw new Error(`unexpected condition key ${key}`);
      const patterns = [values].flat();
      if (operator === 'ForAllValues:StringLike' && !pks.every((pk) => patterns.some((p) => like(p, pk)))) return false;
      else if (operator === 'ForAllValues:StringNotLike' && !pks.every((pk) => !patterns.some((p) => like(p, pk)))) return false;
      else if (!['ForAllValues:StringLike', 'ForAllValues:StringNotLike'].includes(operator)) throw new Error(`unexpected operator ${operator}`);
    }
  }
  return true;
}

function allowed(op: Op): boolean {
  const ids = { table: Object.entries<Json>(built.json.Resources).find(([, r]) => r.Type === 'AWS::DynamoDB::Table')![0], bucket: logicalId(built.stack.manifest.bucket) };
  const resource = op.action.startsWith('s3:') ? `BUCKET/${op.key}` : 'TABLE';
  return roleStatements(built.json, logicalId(built.stack.functions.handlers[op.handler].role)).some(
    (st) =>
      st.Effect === 'Allow' &&
      [st.Action].flat().some((a: string) => actionMatches(a, op.action)) &&
      [st.Resource].flat().some((r: unknown) => like(resourcePattern(r, ids), resource)) &&
      (op.pks ? conditionHolds(st.Condition, op.pks) : st.Condition === undefined),
  );
}

test('every handler was seen at work; outside them only the ItemReader read (manifests) and the local runner wrote its heartbeat', () => {
  const outside = [...new Set(unattributed.map((op) => (op.key ? `${op.action} ${op.key.split('/')[0]}/` : `${op.action} ${op.pks!.map((pk) => pk.replace(/^RUN#[^#]+$/, 'RUN#*'))}`)))];
  // The heartbeat is the local runner's (a deployed execution has none), so no function is granted it.
  expect(outside.sort()).toEqual(['dynamodb:UpdateItem RUN#*', 's3:GetObject manifests/']);
  const seen = new Set(ops.map((op) => op.handler));
  // ExportToSecurityHub runs only with securityHubExport (against moto: test/handlers/export-to-security-hub.test.ts).
  for (const id of Object.keys(HANDLERS) as HandlerId[]) if (id !== 'GetWave' && id !== 'ExportToSecurityHub') expect(seen).toContain(id);
  // RecordError went through its remediate path: the wave keys of an account and their history.
  expect(ops.some((op) => op.handler === 'RecordError' && op.pks?.some((pk) => /^RUN#[^#]+#KEYS#\d{12}$/.test(pk)))).toBe(true);
});

test('every table write and every object read and write of a handler is allowed by its function’s policy', () => {
  const denied = [...new Set(ops.filter((op) => !allowed(op)).map((op) => `${op.handler} ${op.action} ${op.key ?? op.pks!.join(',')}`))];
  expect(denied).toEqual([]);
});

test('what each handler wrote and read is what its grants are for (the patterns these runs did not reach are named)', () => {
  const shape = (pk: string) => pk.replace(/^RUN#[^#]+/, 'RUN#*').replace(/#\d+$/, '#*').replace(/^(KEY|ACCOUNT)#.*/, '$1#*').replace(/#KEYS#.*/, '#KEYS#*');
  const writes = Object.fromEntries(
    (Object.keys(HANDLERS) as HandlerId[]).map((id) => [id, [...new Set(ops.filter((op) => op.handler === id && op.pks).flatMap((op) => op.pks!.map(shape)))].sort()]),
  );
  // Not reached by these runs: error records from ListAccounts (an account asked for that is not in
  // the Organization), ScanAccount (a Region that fails) and Finalize (an account left unscanned).
  expect(writes).toEqual({
    ValidateInput: ['RUN#*'],
    ListAccounts: ['RUN#*'],
    ScanAccount: ['ACCOUNT#*', 'KEY#*', 'RUN#*#ACCOUNTS#*'],
    RecordError: ['KEY#*', 'RUN#*#ACCOUNTS#*', 'RUN#*#ERRORS#*', 'RUN#*#KEYS#*'],
    PlanWaves: ['RUN#*'],
    GetWave: [],
    RemediateAccount: ['KEY#*', 'RUN#*#ACCOUNTS#*', 'RUN#*#KEYS#*'],
    ValidationGate: ['RUN#*'],
    Finalize: ['RUN#*'],
    ExportToSecurityHub: [],
  });
  const objects = Object.fromEntries(
    (Object.keys(HANDLERS) as HandlerId[]).map((id) => [id, [...new Set(ops.filter((op) => op.handler === id && op.key).map((op) => `${op.action} ${op.key!.split('/')[0]}/`))].sort()]),
  );
  expect(objects).toEqual({
    ValidateInput: [],
    ListAccounts: ['s3:PutObject manifests/'],
    ScanAccount: ['s3:GetObject scans/', 's3:PutObject scans/'],
    RecordError: ['s3:GetObject scans/'],
    PlanWaves: [],
    GetWave: [],
    RemediateAccount: ['s3:GetObject scans/'],
    ValidationGate: [],
    Finalize: ['s3:GetObject manifests/', 's3:GetObject scans/'],
    ExportToSecurityHub: [],
  });
});
