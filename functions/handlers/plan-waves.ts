// PlanWaves: orders the run's NON_COMPLIANT keys into waves, stores the plan (each wave's
// accounts, and the wave number on each finding) and returns only the counts. In scan mode the
// stored plan is the dry run.
import { fittedWaveSize, MAX_WAVES, planWaves } from '../core/waves';
import type { ExecutionInput, Finding } from '../core/schemas';
import { lambdaHandler, type Step } from './deps';

export interface PlanWavesEvent {
  runId: string;
  config: ExecutionInput;
}

export interface PlanWavesResult {
  waveCount: number;
  keys: number;
}

export const planWavesStep: Step<PlanWavesEvent, PlanWavesResult> = (deps) => async ({ runId, config }) => {
  const priority = new Set<string>();
  for await (const account of deps.store.accounts(runId)) if (account.priority) priority.add(account.accountId);
  const candidates: Finding[] = [];
  for await (const f of deps.store.findingsWithStatus(runId, 'NON_COMPLIANT')) candidates.push(f);

  const size = fittedWaveSize(candidates.length, config.waves.size);
  const waves = planWaves(candidates, (accountId) => priority.has(accountId), { ...config.waves, size });
  await deps.store.putFindings(waves.flatMap((w) => w.keys.map((k) => ({ ...k, wave: w.wave }))));
  await deps.store.putWaves(waves.map((w) => ({ runId, wave: w.wave, accounts: w.accounts, keyCount: w.keys.length })));
  await deps.store.updateRun(runId, {
    waveCount: waves.length,
    planNote: size === config.waves.size ? undefined : `wave size raised from ${config.waves.size} to ${size} so that ${candidates.length} keys fit in ${MAX_WAVES} waves (one execution's history)`,
  });
  return { waveCount: waves.length, keys: candidates.length };
};

export const handler = lambdaHandler(planWavesStep);
