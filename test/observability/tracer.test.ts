// The X-Ray Tracer is loaded inside Lambda only: a local run of the whole rollout (the handlers
// in-process) never loads its module, so the X-Ray SDK's async_hooks never slow it down; inside
// Lambda the same handlers build it and trace their clients.
import { tracer } from '../../functions/observability/telemetry';
import { stsClient } from '../../functions/aws/clients/sts';
import { standardScenarioPath } from '../scenarios';
import { startHarness } from '../support/harness';

const mockTracerLoads = jest.fn();
jest.mock('@aws-lambda-powertools/tracer', () => {
  mockTracerLoads();
  return jest.requireActual('@aws-lambda-powertools/tracer');
});

const lambdaName = process.env.AWS_LAMBDA_FUNCTION_NAME;
afterEach(() => {
  if (lambdaName === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  else process.env.AWS_LAMBDA_FUNCTION_NAME = lambdaName;
});

describe('the Tracer', () => {
  it('is never loaded by a local scan of the standard organization, which still scans every account', async () => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    const h = await startHarness({ scenario: standardScenarioPath });
    try {
      const result = await h.run({ mode: 'scan' });
      expect(result.executionStatus).toBe('SUCCEEDED');
      expect((await h.embedded.store.accountsOfRun(result.runId)).summaries.length).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
    expect(tracer()).toBeUndefined();
    expect(mockTracerLoads).not.toHaveBeenCalled();
  });

  it('is loaded once inside Lambda, where the clients are built through it', () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'KmsRotor-ScanAccount';
    const built = tracer();
    expect(built).toBeDefined();
    expect(tracer()).toBe(built);
    const capture = jest.spyOn(built!, 'captureAWSv3Client');
    stsClient('us-east-1').destroy();
    expect(capture).toHaveBeenCalledTimes(1);
    expect(mockTracerLoads).toHaveBeenCalledTimes(1);
  });
});
