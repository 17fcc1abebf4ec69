// GetWave: the ids of the accounts in one wave (at most waves.size), for RemediateWave's map.
import { lambdaHandler, type Step } from './deps';

export const getWave: Step<{ runId: string; wave: number }, { accounts: string[]; keyCount: number }> =
  (deps) =>
  async ({ runId, wave }) => {
    const record = await deps.store.getWave(runId, wave);
    if (!record) throw new Error(`run ${runId} has no wave ${wave}: was PlanWaves run?`);
    return { accounts: record.accounts, keyCount: record.keyCount };
  };

export const handler = lambdaHandler('GetWave', getWave);
