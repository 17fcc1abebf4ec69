// The step registry (statemachine/steps.ts) against the ASL: every Lambda Task is a state of the
// registry, invoking its function's substitution, timing out with it, and retrying the one standard
// list of transient errors; every function of the registry has its handler file, which exports the
// Lambda entry point and the step the local runner calls, and each step parses its event.
import { allStates, readAslText, substitutionNames, taskSubstitution, retriedErrors, type AslDefinition } from '../../statemachine/asl';
import { STEP_FUNCTIONS, STEP_FUNCTION_IDS, TASK_STATES, type StepFunctionId } from '../../statemachine/steps';
import { ExecutionInput } from '../../functions/core/schemas';
import type { HandlerDeps } from '../../functions/handlers/deps';
import { stepOf } from '../../local/runner';

const definition = JSON.parse(readAslText()) as AslDefinition;
const lambdaTasks = allStates(definition).filter(({ state }) => taskSubstitution(state)?.endsWith('FunctionArn'));

/**
 * What every Lambda Task retries: our ThrottlingError, the transient Lambda service errors AWS
 * recommends retrying, a Task timeout, and a sandbox that timed out or died. The ASL writes it out
 * in each Task (it stays the source of truth); this checks that no Task lost a name.
 */
const STANDARD_LAMBDA_RETRY = [
  'ThrottlingError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  'States.Timeout',
  'Sandbox.Timedout',
  'Lambda.Unknown',
];

test('every Lambda Task of the ASL is a state of the registry, and every state of the registry a Lambda Task', () => {
  expect(lambdaTasks.map(({ name }) => name).sort()).toEqual(Object.keys(TASK_STATES).sort());
});

test.each(lambdaTasks.map(({ name, state }) => [name, state] as const))('%s invokes its function and times out with it', (name, state) => {
  const fn = STEP_FUNCTIONS[TASK_STATES[name as keyof typeof TASK_STATES]];
  expect({ name, resource: taskSubstitution(state), timeout: state.TimeoutSeconds }).toEqual({ name, resource: fn.substitution, timeout: fn.timeoutSeconds });
});

test('every Lambda Task retries the standard list (States.ALL covers it): 8 write it out, one set', () => {
  const written = lambdaTasks.filter(({ state }) => !retriedErrors(state).has('States.ALL'));
  expect(written).toHaveLength(8);
  for (const { name, state } of written) {
    expect({ name, retried: [...retriedErrors(state)].filter((e) => STANDARD_LAMBDA_RETRY.includes(e)).sort() }).toEqual({ name, retried: [...STANDARD_LAMBDA_RETRY].sort() });
  }
  // Beyond the standard list, only TimeBudgetExceeded (RemediateAccount's retry at once) is retried.
  const extra = new Set(written.flatMap(({ state }) => [...retriedErrors(state)].filter((e) => !STANDARD_LAMBDA_RETRY.includes(e))));
  expect([...extra]).toEqual(['TimeBudgetExceeded']);
});

test('the ASL substitutes each function of the registry, the manifest bucket and the allowed modes, nothing else', () => {
  const names = substitutionNames(readAslText());
  expect(names.sort()).toEqual([...STEP_FUNCTION_IDS.map((id) => STEP_FUNCTIONS[id].substitution), 'ManifestBucket', 'AllowedModes', 'SecurityHubExport'].sort());
});

test.each(STEP_FUNCTION_IDS)('%s: its handler file exports the Lambda handler and its step', (id) => {
  const { file } = STEP_FUNCTIONS[id];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(`../../functions/handlers/${file}`) as Record<string, unknown>;
  expect(typeof module.handler).toBe('function');
  expect(typeof stepOf(id)).toBe('function');
});

describe('each step parses its event: an ASL Parameters change that breaks a handler names the field', () => {
  const deps = {} as HandlerDeps;
  const config = ExecutionInput.parse({});
  test.each([
    ['ScanAccount', { runId: 'r', config, accountId: '111122223333' }, /^event\.account: /],
    ['RemediateAccount', { runId: 'r', wave: '1', config, accountId: '111122223333' }, /^event\.wave: /],
    ['GetWave', { runId: 'r' }, /^event\.wave: /],
    ['PlanWaves', { run: 'r', config }, /event\.runId: .*event\.run: is not a known field|event\.runId: /],
    ['RecordError', { runId: 'r', accountId: '111122223333', phase: 'scanning', failure: {} }, /^event\.phase: /],
    ['Finalize', { runId: 'r' }, /^event\.config: /],
    ['ValidationGate', { runId: 'r', wave: 1, config: { mode: 'fix' } }, /^event\.config\.mode: /],
  ] as [StepFunctionId, unknown, RegExp][])('%s', async (id, event, message) => {
    const failure = await (stepOf(id)(deps) as (e: unknown) => Promise<unknown>)(event).catch((e: Error) => e);
    expect(failure).toMatchObject({ name: 'InvalidStepEvent', message: expect.stringMatching(message) });
  });
});
