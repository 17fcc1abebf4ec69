// `npm run bench`: every benchmark in turn; each prints its figures. `-- --json FILE` also writes
// the scan benchmark's figures (projection and local) and the start-up figures as one JSON
// object; `-- --quick` runs the scan at one small size only; `-- faults` runs the fault suite instead (bench/faults.ts).
import { writeFileSync } from 'node:fs';
import { main as enforceBench } from './enforce.bench';
import { main as faultsBench } from './faults';
import { main as reportBench } from './report.bench';
import { main as scanBench } from './scan.bench';
import { main as startupBench } from './startup.bench';

async function main(args: string[]): Promise<void> {
  // `-- faults [NAME...]`: the fault suite alone (bench/faults.ts); it runs minutes, so not by default.
  if (args[0] === 'faults') {
    await faultsBench(args.slice(1));
    return;
  }
  const scan = (await scanBench(args)) as object;
  console.log('');
  const figures = { ...scan, startup: await startupBench(args) };
  const jsonAt = args.indexOf('--json');
  if (jsonAt >= 0) {
    const file = args[jsonAt + 1];
    if (!file) throw new Error('--json needs a file name');
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`figures written to ${file}`);
  }
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
