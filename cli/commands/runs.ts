// `rotor runs`: the recent runs of the results store, newest first.
import { Command } from 'commander';
import type { RunRecord } from '../../functions/core/schemas';
import { inertJson } from '../../functions/core/text';
import { withAwsOptions, withOutputOption, type AwsOptions, type ListingOutput } from '../aws-options';
import { note, openStore, withStoreOptions, type StoreOptions } from '../context';
import { columns } from '../columns';
import { integerFlag } from '../flag-values';

export function registerRuns(program: Command): void {
  withStoreOptions(withOutputOption(withAwsOptions(program.command('runs'))).description('List recent runs, newest first').option('--limit <n>', 'how many', '20')).action(
    async (options: StoreOptions & AwsOptions & { limit: string; output: ListingOutput }) => {
      const limit = integerFlag('--limit', options.limit, 1);
      const opened = await openStore(options, 'read');
      try {
        if (options.output === 'json') {
          const runs: RunRecord[] = [];
          for await (const r of opened.store.runs(limit)) runs.push(r);
          process.stdout.write(`${inertJson(runs, 2)}\n`);
          return;
        }
        const rows: string[][] = [['RUN ID', 'MODE', 'STATUS', 'STARTED', 'ACCOUNTS', 'NON_COMPLIANT', 'REMEDIATED', 'ERRORS']];
        for await (const r of opened.store.runs(limit)) {
          rows.push([r.runId, r.mode, r.status, r.startedAt, String(r.accountCount), String(r.summary.NON_COMPLIANT ?? 0), String(r.summary.REMEDIATED ?? 0), String(r.errorCount)]);
        }
        if (rows.length === 1) note('no runs yet: start one with `rotor run --local`');
        else process.stdout.write(columns(rows));
      } finally {
        await opened.close();
      }
    },
  );
}
