// GetWave: the ids of the accounts in one wave (at most waves.size), for RemediateWave's map.
import * as z from 'zod';
import { lambdaHandler, parsedStep } from './deps';

/** The event the ASL passes (its Parameters): parsed, so a change that breaks it names the field. */
export const GetWaveEvent = z.object({ runId: z.string(), wave: z.number().int().min(1) });
export type GetWaveEvent = z.infer<typeof GetWaveEvent>;

export const step = parsedStep(
  GetWaveEvent,
  (deps): ((event: GetWaveEvent) => Promise<{ accounts: string[]; keyCount: number }>) =>
  async ({ runId, wave }) => {
    const record = await deps.store.getWave(runId, wave);
    if (!record) throw new Error(`run ${runId} has no wave ${wave}: was PlanWaves run?`);
    return { accounts: record.accounts, keyCount: record.keyCount };
  },
);

export const handler = lambdaHandler('GetWave', step);
