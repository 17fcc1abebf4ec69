// ValidationGate: after each wave, tallies the wave's outcome from its accounts' wave outcomes
// (one item per account of the wave) and halts the rollout when its failure rate exceeds
// waves.maxFailureRate.
import { waveTally } from '../core/account-summary';
import { gateWave } from '../core/waves';
import { ExecutionInput, type WaveResult } from '../core/schemas';
import * as z from 'zod';
import { lambdaHandler, parsedStep } from './deps';

/** The event the ASL passes (its Parameters): parsed, so a change that breaks it names the field. */
export const ValidationGateEvent = z.object({ runId: z.string(), wave: z.number().int(), config: ExecutionInput });
export type ValidationGateEvent = z.infer<typeof ValidationGateEvent>;

export const step = parsedStep(ValidationGateEvent, (deps): ((event: ValidationGateEvent) => Promise<WaveResult>) => async ({ runId, wave, config }) => {
  const record = await deps.store.getWave(runId, wave);
  if (!record) throw new Error(`run ${runId} has no wave ${wave}`);
  const { remediated, failed } = waveTally(await deps.store.waveOutcomes(runId, wave, record.accounts), record.keyCount);
  const { failureRate, halted } = gateWave({ remediated, failed }, config.waves.maxFailureRate);
  const result: WaveResult = { wave, keys: remediated + failed, remediated, failed, failureRate, halted };

  const run = await deps.store.getRun(runId);
  const waves = [...(run?.waves ?? []).filter((w) => w.wave !== wave), result].sort((a, b) => a.wave - b.wave);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  await deps.store.updateRun(runId, {
    waves,
    haltReason: halted
      ? `wave ${wave} of ${run?.waveCount ?? '?'}: ${failed} of ${remediated + failed} keys failed (${pct(failureRate)}), over the tolerated ${pct(config.waves.maxFailureRate)}; later waves did not run`
      : undefined,
  });
  return result;
});

export const handler = lambdaHandler('ValidationGate', step);
