// `rotor report --evidence DIR` on a scan of the simulated organization: every format and a
// manifest whose SHA-256s match the files, with the run, its coverage and the control ids.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROLS } from '../../functions/core/controls';
import { STANDARD } from '../scenarios';
import { rotor, useCliSuite } from '../support/rotor-cli';

const suite = useCliSuite('rotor-evidence-');

beforeAll(async () => {
  expect((await rotor('run', '--local', '--mode', 'scan', '--quiet', '--exit-zero', '--data-dir', suite.dir, '--out', join(suite.dir, 'scan.txt'))).code).toBe(0);
});

it('writes every format and a manifest naming each with its SHA-256, the run, coverage and controls', async () => {
  const bundle = join(suite.dir, 'evidence');
  const result = await rotor('report', '--latest', '--evidence', bundle, '--data-dir', suite.dir);
  expect(result.code).toBe(0);
  expect(readdirSync(bundle).sort()).toEqual(['manifest.json', 'report.csv', 'report.html', 'report.json', 'report.md', 'report.ocsf.json', 'report.txt']);
  const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
  for (const file of manifest.files) {
    const bytes = readFileSync(join(bundle, file.name));
    expect({ name: file.name, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }).toEqual({ name: file.name, sha256: file.sha256, bytes: file.bytes });
  }
  const report = JSON.parse(readFileSync(join(bundle, 'report.json'), 'utf8'));
  expect(manifest).toMatchObject({ manifestVersion: 1, tool: { name: 'kms-rotor' }, run: { runId: report.runId, mode: 'scan', status: 'SUCCEEDED' }, compliancePercent: report.compliancePercent, coverage: report.coverage, controls: CONTROLS });
  expect(manifest.coverage.notScanned).toEqual([expect.objectContaining({ accountId: STANDARD.memberWithoutRole })]);
});

it('report --format ocsf: a JSON array of Compliance Findings, one per key and per scope not scanned', async () => {
  const ocsf = await rotor('report', '--latest', '--format', 'ocsf', '--data-dir', suite.dir);
  const report = JSON.parse((await rotor('report', '--latest', '--format', 'json', '--data-dir', suite.dir)).stdout);
  const events = JSON.parse(ocsf.stdout) as { class_uid: number; status_code: string }[];
  expect(events.every((e) => e.class_uid === 2003)).toBe(true);
  expect(events.length).toBe(report.findings.length + report.coverage.notScanned.length);
});

it.each<[string, string[], RegExp]>([
  ['a folder that is not empty', [], /--evidence .*: is not empty/],
  ['--format beside it', ['--format', 'csv'], /--evidence writes every format/],
])('refuses %s: exit 2, nothing written', async (_, extra, message) => {
  const bundle = mkdtempSync(join(suite.dir, 'full-'));
  writeFileSync(join(bundle, 'other.txt'), 'x');
  const result = await rotor('report', '--latest', '--evidence', extra.length ? join(suite.dir, 'new') : bundle, ...extra, '--data-dir', suite.dir);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
  expect(readdirSync(bundle)).toEqual(['other.txt']);
});
