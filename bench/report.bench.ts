// Report builders at scale: a synthetic run of 100,000 findings, produced by an async generator
// (never an array), written in every format to a sink that only counts bytes. Prints per format
// the time, the bytes written and the peak RSS / heapUsed above the starting point, sampled while
// the findings stream, so a builder that collected its input would show here.
// Run: node --import tsx bench/report.bench.ts [findings]   (add --expose-gc for steadier baselines)
import { REPORT_FORMATS, writeReport } from '../report';
import type { ReportFormat, ReportInput } from '../report';
import type { Finding, FindingStatus, RunRecord } from '../functions/core/schemas';
import { runCoverage } from '../functions/core/coverage';
import { syntheticFinding, type SyntheticRun } from './synthetic-findings';

const KEYS_PER_REGION = 50;
const REGIONS = ['eu-west-1', 'us-east-1'];
const RUN_ID = 'bench-run';

/** Status of the i-th key: mostly compliant, some of everything else. */
function statusOf(i: number): FindingStatus {
  const r = i % 100;
  if (r < 60) return 'COMPLIANT';
  if (r < 75) return 'REMEDIATED';
  if (r < 80) return 'NON_COMPLIANT';
  if (r < 82) return 'REMEDIATION_FAILED';
  if (r < 85) return 'EXEMPT';
  return 'NOT_APPLICABLE';
}

const BENCH_RUN: SyntheticRun = {
  runId: RUN_ID,
  regions: REGIONS,
  keysPerAccount: KEYS_PER_REGION * REGIONS.length,
  scannedAt: '2025-06-01T11:00:00.000Z',
  statusOf,
  waveOf: (i, status) => (status === 'REMEDIATED' || status === 'REMEDIATION_FAILED' ? 1 + Math.floor(i / 5000) : undefined),
};

interface Peak {
  rss: number;
  heapUsed: number;
}

function sample(peak: Peak): void {
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
}

/** Findings one at a time; samples memory every 1,000 so the peak is seen while streaming. */
function source(count: number, peak: Peak): () => AsyncIterable<Finding> {
  return async function* () {
    for (let i = 0; i < count; i++) {
      if (i % 1000 === 0) sample(peak);
      yield syntheticFinding(BENCH_RUN, i);
    }
  };
}

function summaryOf(count: number): RunRecord['summary'] {
  const summary: Partial<Record<FindingStatus, number>> = {};
  for (let i = 0; i < count; i++) summary[statusOf(i)] = (summary[statusOf(i)] ?? 0) + 1;
  return summary;
}

export interface BenchResult {
  format: ReportFormat;
  findings: number;
  bytes: number;
  ms: number;
  peakRssDeltaMiB: number;
  peakHeapDeltaMiB: number;
}

const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

export async function benchFormat(format: ReportFormat, count: number): Promise<BenchResult> {
  gc?.();
  const start = process.memoryUsage();
  const peak: Peak = { rss: start.rss, heapUsed: start.heapUsed };
  const run: RunRecord = {
    runId: RUN_ID,
    mode: 'remediate',
    status: 'SUCCEEDED',
    startedAt: '2025-06-01T11:00:00.000Z',
    finishedAt: '2025-06-01T12:00:00.000Z',
    input: {},
    accountCount: Math.ceil(count / (KEYS_PER_REGION * REGIONS.length)),
    waveCount: 0,
    waves: [],
    summary: summaryOf(count),
    errorCount: 0,
    scope: 'org',
  };
  const input: ReportInput = { run, findings: source(count, peak), errors: [], coverage: runCoverage(run, [], []), now: new Date('2025-06-01T12:00:00.000Z') };
  let bytes = 0;
  const sink = {
    write(chunk: string) {
      bytes += Buffer.byteLength(chunk);
      sample(peak);
    },
  };
  const t0 = performance.now();
  await writeReport(format, input, sink);
  const ms = performance.now() - t0;
  sample(peak);
  return {
    format,
    findings: count,
    bytes,
    ms,
    peakRssDeltaMiB: (peak.rss - start.rss) / MiB,
    peakHeapDeltaMiB: (peak.heapUsed - start.heapUsed) / MiB,
  };
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<BenchResult[]> {
  const count = Number(argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
  const results: BenchResult[] = [];
  console.log(`report builders over ${count.toLocaleString('en-US')} findings (async generator, counting sink)${gc ? '' : ' — run with --expose-gc for steadier baselines'}`);
  console.log('format   time (s)   output (MiB)   peak RSS Δ (MiB)   peak heapUsed Δ (MiB)');
  for (const format of REPORT_FORMATS) {
    const r = await benchFormat(format, count);
    results.push(r);
    console.log(
      `${r.format.padEnd(8)} ${(r.ms / 1000).toFixed(2).padStart(8)}   ${(r.bytes / MiB).toFixed(1).padStart(12)}   ${r.peakRssDeltaMiB.toFixed(1).padStart(16)}   ${r.peakHeapDeltaMiB.toFixed(1).padStart(21)}`,
    );
  }
  return results;
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
