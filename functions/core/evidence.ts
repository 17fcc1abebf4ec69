// The manifest of an evidence bundle: what an auditor is handed in one folder, said in one file
// (the run, its coverage and compliance, the control ids, the key events handled around it, and
// the SHA-256 of every file beside it, so the folder can be checked as received). Pure.
import { CONTROLS, type Control } from './controls';
import { compliancePercent, type Coverage } from './coverage';
import type { KeyEvents } from './run-key-events';
import type { RunRecord } from './schemas';

export const EVIDENCE_MANIFEST = 'manifest.json';
/** Where a deployment's evidence bucket holds each run's bundle: evidence/<runId>/<file>. */
export const EVIDENCE_PREFIX = 'evidence/';

export interface EvidenceFile {
  name: string;
  format: string;
  bytes: number;
  sha256: string;
}

export interface EvidenceManifest {
  manifestVersion: 1;
  generatedAt: string;
  tool: { name: 'kms-rotor'; version: string };
  run: Pick<RunRecord, 'runId' | 'mode' | 'status' | 'startedAt' | 'scope' | 'accountCount' | 'errorCount'> & { finishedAt: string | null; haltReason?: string; summary: RunRecord['summary'] };
  compliancePercent: number | null;
  coverage: Coverage;
  controls: readonly Control[];
  files: EvidenceFile[];
  /** What continuous enforcement did around the run (as the JSON report's keyEvents); absent when it handled nothing. */
  keyEvents?: KeyEvents;
}

export function evidenceManifest(run: RunRecord, coverage: Coverage, files: readonly EvidenceFile[], generatedAt: Date, version: string, keyEvents?: KeyEvents): EvidenceManifest {
  return {
    manifestVersion: 1,
    generatedAt: generatedAt.toISOString(),
    tool: { name: 'kms-rotor', version },
    run: {
      runId: run.runId,
      mode: run.mode,
      status: run.status,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt ?? null,
      scope: run.scope,
      accountCount: run.accountCount,
      errorCount: run.errorCount,
      ...(run.haltReason !== undefined && { haltReason: run.haltReason }),
      summary: run.summary,
    },
    compliancePercent: compliancePercent(run.summary),
    coverage,
    controls: CONTROLS,
    files: [...files].sort((a, b) => a.name.localeCompare(b.name)),
    ...(keyEvents && keyEvents.events.length > 0 && { keyEvents }),
  };
}
