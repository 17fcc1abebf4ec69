// The OCSF report (`--format ocsf`): a JSON array of OCSF Compliance Finding events, one per key,
// one per account or Region not scanned, and one per event handled around the run
// (functions/core/ocsf.ts), streamed one per line.
import { ocsfEventFinding, ocsfFinding, ocsfNotScanned, type OcsfContext } from '../functions/core/ocsf';
import { inertJson } from '../functions/core/text';
import { version } from '../package.json';
import { ChunkWriter, accountName, iterate, reportTime } from './common';
import type { ReportInput, ReportSink } from './types';

export async function writeOcsfReport(input: ReportInput, sink: ReportSink): Promise<void> {
  const out = new ChunkWriter(sink);
  const context: OcsfContext = { runId: input.run.runId, productVersion: version, accountName: (id) => accountName(input, id) };
  let first = true;
  const item = async (event: Record<string, unknown>) => {
    await out.write(`${first ? '[\n' : ',\n'}${inertJson(event)}`);
    first = false;
  };
  let partition = 'aws';
  for await (const finding of iterate(input.findings)) {
    partition = finding.keyArn.split(':')[1] || partition;
    await item(ocsfFinding(finding, context));
  }
  const at = Date.parse(input.run.finishedAt ?? reportTime(input).toISOString());
  for (const gap of input.coverage.notScanned) await item(ocsfNotScanned(gap, at, partition, context));
  for (const event of input.keyEvents?.events ?? []) await item(ocsfEventFinding(event, context));
  await out.write(first ? '[]\n' : '\n]\n');
  await out.flush();
}
