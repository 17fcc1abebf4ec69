// The evidence bundle Finalize leaves in the deployment's evidence bucket (S3 Object Lock, so no
// one can change or delete it within the retention): the run's findings as OCSF Compliance
// Findings (functions/core/ocsf.ts, streamed from the store), then one per key event handled around
// the run, as `rotor report --format ocsf` writes them, and manifest.json with the run, its
// coverage, the control ids, the key events and the SHA-256 of the OCSF file
// (functions/core/evidence.ts).
import { createHash } from 'node:crypto';
import type { AccountSummary } from '../core/account-summary';
import { runCoverage } from '../core/coverage';
import { EVIDENCE_MANIFEST, EVIDENCE_PREFIX, evidenceManifest, type EvidenceFile } from '../core/evidence';
import { ocsfEventFinding, ocsfFinding, ocsfNotScanned } from '../core/ocsf';
import type { KeyEvents } from '../core/run-key-events';
import type { ErrorRecord, RunRecord } from '../core/schemas';
import { inertJson } from '../core/text';
import type { ObjectStore } from './object-store';
import type { ResultsStore } from './results-store';

export const EVIDENCE_OCSF = 'report.ocsf.json';

/** Writes the run's bundle; returns the object keys, manifest last. */
export async function writeRunEvidence(
  store: ResultsStore,
  bucket: ObjectStore,
  run: RunRecord,
  summaries: readonly AccountSummary[],
  errors: readonly ErrorRecord[],
  keyEvents: KeyEvents,
  now: Date,
  productVersion: string,
): Promise<string[]> {
  const coverage = runCoverage(run, summaries, errors);
  const context = { runId: run.runId, productVersion, accountName: (id: string) => summaries.find((s) => s.accountId === id)?.name ?? '' };
  const events: string[] = [];
  let partition = 'aws';
  for await (const finding of store.findings(run.runId)) {
    partition = finding.keyArn.split(':')[1] || partition;
    events.push(inertJson(ocsfFinding(finding, context)));
  }
  for (const gap of coverage.notScanned) events.push(inertJson(ocsfNotScanned(gap, now.getTime(), partition, context)));
  for (const event of keyEvents.events) events.push(inertJson(ocsfEventFinding(event, context)));
  const ocsf = events.length === 0 ? '[]\n' : `[\n${events.join(',\n')}\n]\n`;
  const file: EvidenceFile = { name: EVIDENCE_OCSF, format: 'ocsf', bytes: Buffer.byteLength(ocsf, 'utf8'), sha256: createHash('sha256').update(ocsf, 'utf8').digest('hex') };
  const key = (name: string) => `${EVIDENCE_PREFIX}${run.runId}/${name}`;
  await bucket.put(key(EVIDENCE_OCSF), ocsf);
  await bucket.put(key(EVIDENCE_MANIFEST), `${inertJson(evidenceManifest(run, coverage, [file], now, productVersion, keyEvents), 2)}\n`);
  return [key(EVIDENCE_OCSF), key(EVIDENCE_MANIFEST)];
}
