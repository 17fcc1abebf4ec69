// `npm run bench`: every benchmark in turn; each prints its figures. The arguments are USAGE's.
import { writeFileSync } from 'node:fs';
import { main as enforceBench } from './enforce.bench';
import { main as faultsBench } from './faults';
import { main as reportBench } from './report.bench';
import { HUNDRED_K_KEYS, benchScan, main as scanBench } from './scan.bench';
import { main as startupBench } from './startup.bench';

const USAGE = `npm run bench -- [--quick] [--json FILE]
  (no argument)  every benchmark: the scan (1,000 accounts × 30 keys and 100 × 1,000), its projection,
                 a full remediate run, the built command's start-up, continuous enforcement and the reports
  --quick        the scan at 100 accounts × 30 keys only, a smaller enforcement burst, no reports (CI)
  --json FILE    also writes the scan's figures (projection, local) and the start-up figures as one JSON object
npm run bench -- rss100k [--json FILE]
  the scan of ${HUNDRED_K_KEYS[0]} accounts × ${HUNDRED_K_KEYS[1]} keys alone: local.peakRssMiBAt100kKeys, the rotor
                 process's peak RSS over its first scan (minutes)
npm run bench -- faults [NAME...]
  the fault suite instead (bench/faults.ts); it runs minutes, so not by default`;

function writeJson(args: string[], figures: unknown): void {
  const jsonAt = args.indexOf('--json');
  if (jsonAt < 0) return;
  const file = args[jsonAt + 1];
  if (!file) throw new Error('--json needs a file name');
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`figures written to ${file}`);
}

/** The 100,000-key scan alone: its peak RSS (and the rest of its row), without the other sizes and benchmarks. */
async function rss100k(args: string[]): Promise<void> {
  const scan = await benchScan(...HUNDRED_K_KEYS);
  console.log(
    `${scan.accounts} accounts, ${scan.keys} keys: peak RSS ${scan.peakRssMiB.toFixed(0)} MiB, wall ${scan.wallSeconds.toFixed(1)} s, ` +
      `CPU ${scan.cpuMsPerKey.toFixed(2)} ms per key (both processes), ScanAccount runs per account ${scan.scanAccountRunsPerAccount.toFixed(2)}`,
  );
  writeJson(args, { local: { peakRssMiBAt100kKeys: scan.keys >= 100_000 ? scan.peakRssMiB : null }, scans: [scan] });
}

async function main(args: string[]): Promise<void> {
  if (args.includes('--help')) {
    console.log(USAGE);
    return;
  }
  if (args[0] === 'faults') {
    await faultsBench(args.slice(1));
    return;
  }
  if (args[0] === 'rss100k') {
    await rss100k(args.slice(1));
    return;
  }
  const scan = (await scanBench(args)) as object;
  console.log('');
  writeJson(args, { ...scan, startup: await startupBench(args) });
  console.log('');
  // Continuous enforcement: per-event time to compliance and the burst (smaller with --quick).
  await enforceBench(args);
  if (args.includes('--quick')) return;
  console.log('');
  await reportBench([]);
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
