// The store shell of reconciling interrupted runs (the decision is core/runs.ts
// reconcileInterrupted): when a run is finalized, each earlier INTERRUPTED run of its scope that no
// run has reconciled yet (a local run killed or stopped, a deployed execution aborted or timed out)
// gets, per account of its waves, the keys it had asked KMS to enable and that this run found
// rotating, recorded REMEDIATED in its own remediation state (and key history), its wave outcomes
// rewritten with them, and its record marked INTERRUPTED with its counts and who reconciled it
// (only once no such key is left unread: a key this run could not read waits for a later run).
// Called by Finalize, the one place, deployed and local.
import { reconcileInterrupted } from '../core/runs';
import type { Finding, RunRecord } from '../core/schemas';
import type { ResultsStore } from './results-store';
import { putWaveOutcome } from './wave-keys';

export interface Reconciled {
  runId: string;
  remediated: number;
  /** Keys it asked KMS to enable that this run could not read: left for a later run. */
  undecided: number;
}

export async function reconcileInterruptedRuns(store: ResultsStore, run: RunRecord, now: Date): Promise<Reconciled[]> {
  const interrupted: RunRecord[] = [];
  for await (const candidate of store.runs()) {
    if (candidate.runId === run.runId || candidate.startedAt >= run.startedAt || candidate.scope !== run.scope) continue;
    if (candidate.status === 'INTERRUPTED' && !candidate.reconciledBy) interrupted.push(candidate);
  }
  const out: Reconciled[] = [];
  for (const r of interrupted) {
    let remediated = 0;
    // Keys with the intent on record that this run did not read (its scan of them failed): a
    // later run decides them, so the interrupted run is not marked reconciled yet.
    let undecided = 0;
    for (const [accountId, slices] of await store.slicesByAccount(r.runId)) {
      const later = new Map((await store.accountFindings(run.runId, accountId)).findings.map((f) => [f.keyArn, f]));
      const { findings } = await store.accountFindings(r.runId, accountId, slices);
      undecided += findings.filter((f) => f.status === 'NON_COMPLIANT' && f.enableRequestedAt && !later.has(f.keyArn)).length;
      const decided = reconcileInterrupted(findings, later, run.runId, now.toISOString());
      if (decided.length === 0) continue;
      await store.putFindings(decided);
      const byWave = new Map<number, Finding[]>();
      for (const f of decided) if (f.wave !== undefined) byWave.set(f.wave, [...(byWave.get(f.wave) ?? []), f]);
      for (const [wave, updates] of byWave) {
        await putWaveOutcome(store, r.runId, accountId, wave, findings.filter((f) => f.wave === wave), updates);
      }
      remediated += decided.length;
    }
    const reconciledKeys = (r.reconciledKeys ?? 0) + remediated;
    const summary = await store.countByStatus(r.runId);
    await store.updateRun(r.runId, undecided === 0 ? { status: 'INTERRUPTED', reconciledBy: run.runId, reconciledKeys, summary } : { status: 'INTERRUPTED', reconciledKeys, summary });
    out.push({ runId: r.runId, remediated, undecided });
  }
  return out;
}
