// PlanWaves: orders the run's NON_COMPLIANT keys into waves from the account summaries (one count
// per account, never a finding), stores the plan (each wave's slices of accounts) and returns
// only the counts. In scan mode the stored plan is the dry run.
import { fittedWaveSize, MAX_WAVES, planWaves } from '../core/waves';
import { ExecutionInput } from '../core/schemas';
import * as z from 'zod';
import { lambdaHandler, parsedStep } from './deps';

/** The event the ASL passes (its Parameters): parsed, so a change that breaks it names the field. */
export const PlanWavesEvent = z.object({ runId: z.string(), config: ExecutionInput });
export type PlanWavesEvent = z.infer<typeof PlanWavesEvent>;

export interface PlanWavesResult {
  waveCount: number;
  keys: number;
}

export const step = parsedStep(PlanWavesEvent, (deps): ((event: PlanWavesEvent) => Promise<PlanWavesResult>) => async ({ runId, config }) => {
  const { summaries } = await deps.store.accountsOfRun(runId);
  const candidates = summaries.map((s) => ({ accountId: s.accountId, keys: s.counts.NON_COMPLIANT ?? 0, priority: s.priority }));
  const keys = candidates.reduce((n, c) => n + c.keys, 0);
  const size = fittedWaveSize(keys, config.waves.size);
  const waves = planWaves(candidates, { ...config.waves, size });
  await deps.store.putWaves(waves.map((w) => ({ runId, wave: w.wave, accounts: w.accounts, keyCount: w.keys, slices: w.slices })));
  await deps.store.updateRun(runId, {
    waveCount: waves.length,
    planNote: size === config.waves.size ? undefined : `wave size raised from ${config.waves.size} to ${size} so that ${keys} keys fit in ${MAX_WAVES} waves (one execution's history)`,
  });
  return { waveCount: waves.length, keys };
});

export const handler = lambdaHandler('PlanWaves', step);
