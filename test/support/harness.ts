// A simulated organization plus an in-memory results store, with the SDK pointed at the
// simulator the way a user would (environment variables), for end-to-end tests; and a KMS client
// in a member account as a person there holds it.
import { KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { runLocal, type LocalRunOptions, type LocalRunResult } from '../../local/runner';
import { useSimulatorEnv } from '../../local/simulator-env';
import { startSimulator, type SimulatedOrganization, type SimulatorOptions } from '../../local/sim';
import type { ExecutionInputRaw, Finding } from '../../functions/core/schemas';

export interface Harness {
  sim: SimulatedOrganization;
  embedded: EmbeddedStore;
  /** A local run on the harness's store; `options` adds to (or overrides) the runner's options. */
  run(input: ExecutionInputRaw, options?: Partial<LocalRunOptions>): Promise<LocalRunResult>;
  findings(runId: string): Promise<Finding[]>;
  close(): Promise<void>;
}

let counter = 0;

export async function startHarness(options: SimulatorOptions): Promise<Harness> {
  const sim = await startSimulator(options);
  const embedded = await startEmbeddedStore();
  const restoreEnv = useSimulatorEnv(sim);
  return {
    sim,
    embedded,
    run: (input, options) => runLocal({ runId: `test-${++counter}-${Date.now()}`, ...input }, { store: embedded.store, retryDelayMs: 5, ...options }),
    findings: async (runId) => {
      const out: Finding[] = [];
      for await (const f of embedded.store.findings(runId)) out.push(f);
      return out;
    },
    close: async () => {
      restoreEnv();
      await embedded.close();
      await sim.close();
    },
  };
}

/**
 * The harness of a suite (or describe block), registered as jest hooks: started once before its
 * tests, closed after them. Its parts are there from the beforeAll on.
 */
export function useHarness(options: SimulatorOptions): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    Object.assign(harness, await startHarness(options));
  });
  afterAll(async () => harness.close?.());
  return harness;
}

/** A KMS client in a member account as a person there holds it: a session `sessionName` of its remediate role. */
export async function memberKms(accountId: string, region: string, sessionName: string): Promise<KMSClient> {
  const sts = new STSClient({ region });
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/KmsRotorRemediateRole`, RoleSessionName: sessionName }));
    const c = out.Credentials!;
    return new KMSClient({ region, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken } });
  } finally {
    sts.destroy();
  }
}
