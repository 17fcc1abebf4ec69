// `npm run bench`: every benchmark in turn; each prints its figures.
import { main as reportBench } from './report.bench';
import { main as scanBench } from './scan.bench';

async function main(): Promise<void> {
  await scanBench();
  console.log('');
  await reportBench([]);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
