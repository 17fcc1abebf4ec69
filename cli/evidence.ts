// `rotor report --evidence DIR`: every report format of one run written into a new folder, each
// hashed as it streams to disk, then manifest.json (functions/core/evidence.ts) naming them all.
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { version } from '../package.json';
import { EVIDENCE_MANIFEST, evidenceManifest, type EvidenceFile } from '../functions/core/evidence';
import { inertJson } from '../functions/core/text';
import { REPORT_EXTENSIONS, REPORT_FORMATS, writableSink, writeReport, type ReportInput } from '../report';
import { UsageError } from './errors';

/** The folder must be new or empty: a bundle holds one run's files and nothing else. */
export function checkEvidenceDir(dir: string): void {
  const path = resolve(dir);
  let entries: string[];
  try {
    if (!statSync(path).isDirectory()) throw new UsageError(`--evidence ${dir}: is a file, not a folder`);
    entries = readdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length > 0) throw new UsageError(`--evidence ${dir}: is not empty; a bundle goes into a new or empty folder`);
}

async function writeHashed(path: string, write: (sink: ReturnType<typeof writableSink>) => Promise<void>): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = createWriteStream(path);
  const file = writableSink(stream);
  await write({
    write: (chunk) => {
      hash.update(chunk, 'utf8');
      bytes += Buffer.byteLength(chunk, 'utf8');
      return file.write(chunk);
    },
  });
  await new Promise<void>((done, fail) => stream.end((error?: Error | null) => (error ? fail(error) : done())));
  return { bytes, sha256: hash.digest('hex') };
}

/** Writes the bundle; returns the files it wrote, manifest last. */
export async function writeEvidence(input: ReportInput, dir: string, now: Date): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: EvidenceFile[] = [];
  for (const format of REPORT_FORMATS) {
    const name = `report.${REPORT_EXTENSIONS[format]}`;
    const written = await writeHashed(join(dir, name), (sink) => writeReport(format, input, sink));
    files.push({ name, format, ...written });
  }
  const manifest = evidenceManifest(input.run, input.coverage, files, now, version, input.keyEvents);
  writeFileSync(join(dir, EVIDENCE_MANIFEST), `${inertJson(manifest, 2)}\n`);
  return [...files.map((f) => f.name), EVIDENCE_MANIFEST];
}
