// ValidationGate: after each wave, counts the wave's outcome from the store and halts the
// rollout when its failure rate exceeds waves.maxFailureRate.
import { gateWave } from '../core/waves';
import type { ExecutionInput, WaveResult } from '../core/schemas';
import { lambdaHandler, type Step } from './deps';

export interface ValidationGateEvent {
  runId: string;
  wave: number;
  config: ExecutionInput;
}

export const validationGate: Step<ValidationGateEvent, WaveResult> = (deps) => async ({ runId, wave, config }) => {
  const record = await deps.store.getWave(runId, wave);
  if (!record) throw new Error(`run ${runId} has no wave ${wave}`);
  let remediated = 0;
  let failed = 0;
  for (const accountId of record.accounts) {
    for await (const f of deps.store.findings(runId, accountId)) {
      if (f.wave !== wave) continue;
      if (f.status === 'REMEDIATED') remediated++;
      // A key of the wave still NON_COMPLIANT was never attempted: it counts against the wave.
      else if (f.status === 'REMEDIATION_FAILED' || f.status === 'NON_COMPLIANT') failed++;
    }
  }
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
};

export const handler = lambdaHandler(validationGate);
