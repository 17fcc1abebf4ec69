// One account's keys of one wave, and the outcome that account's slice of the wave came to: what
// RemediateAccount and RecordError (remediate) read and write, so the gate and Finalize need one
// item per account and wave, never the keys.
import { statusCounts } from '../core/account-summary';
import type { Finding } from '../core/schemas';
import type { ResultsStore } from './results-store';

/** The account's findings placed in `wave` by the plan, as they stand now (intent and outcomes included). */
export async function waveKeysOf(store: ResultsStore, runId: string, accountId: string, wave: number): Promise<Finding[]> {
  const record = await store.getWave(runId, wave);
  if (!record) throw new Error(`run ${runId} has no wave ${wave}: was PlanWaves run?`);
  const slices = record.slices.filter((s) => s.accountId === accountId).map((s) => ({ ...s, wave }));
  const { findings } = await store.accountFindings(runId, accountId, slices);
  return findings.filter((f) => f.wave === wave);
}

/** Records the wave's keys of the account with `updates` (newer states of some of them) applied. */
export async function putWaveOutcome(store: ResultsStore, runId: string, accountId: string, wave: number, keys: readonly Finding[], updates: readonly Finding[]): Promise<void> {
  const latest = new Map(keys.map((f) => [f.keyArn, f]));
  for (const f of updates) latest.set(f.keyArn, f);
  await store.putWaveOutcome({ runId, accountId, wave, keys: keys.length, counts: statusCounts(latest.values()) });
}
