// `rotor status <run-id>`: where a run is: its status, counts and waves, why it stopped.
import { Command } from 'commander';
import { inertJson, inertText } from '../../functions/core/text';
import { withAwsOptions, withOutputOption, type AwsOptions, type ListingOutput } from '../aws-options';
import { openStore, withStoreOptions, type StoreOptions } from '../context';
import { chooseRun } from '../run-choice';

export function registerStatus(program: Command): void {
  withStoreOptions(withOutputOption(withAwsOptions(program.command('status'))).description('Show where a run is: status, counts, waves').argument('<run-id>', 'the run')).action(
    async (runId: string, options: StoreOptions & AwsOptions & { output: ListingOutput }) => {
      const opened = await openStore(options, 'read');
      try {
        const run = await chooseRun(opened.store, { runId });
        if (options.output === 'json') {
          process.stdout.write(`${inertJson(run, 2)}\n`);
          return;
        }
        const lines = [
          `run ${run.runId} (${run.mode}): ${run.status}`,
          `started ${run.startedAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`,
          `accounts: ${run.accountCount}; error scopes: ${run.errorCount}`,
          `findings: ${Object.entries(run.summary).map(([s, n]) => `${s} ${n}`).join(', ') || '(not counted yet)'}`,
        ];
        if (run.waveCount > 0) {
          lines.push(`waves: ${run.waves.length} of ${run.waveCount} done`);
          for (const w of run.waves) lines.push(`  wave ${w.wave}: ${w.remediated} remediated, ${w.failed} failed (${(w.failureRate * 100).toFixed(1)}%)${w.halted ? ' HALTED' : ''}`);
        }
        if (run.planNote) lines.push(`plan: ${run.planNote}`);
        if (run.haltReason) lines.push(`why it stopped: ${run.haltReason}`);
        if (run.status === 'INTERRUPTED') {
          lines.push(
            run.reconciledBy
              ? `interrupted; reconciled by run ${run.reconciledBy}: ${run.reconciledKeys ?? 0} key(s) it enabled recorded REMEDIATED`
              : `interrupted${run.pid === undefined ? '' : ` (pid ${run.pid}${run.host ? ` on ${run.host}` : ''}, last heartbeat ${run.heartbeatAt ?? run.startedAt})`}; the next run of its scope records the keys it enabled`,
          );
        }
        process.stdout.write(`${lines.map((line) => inertText(line)).join('\n')}\n`);
      } finally {
        await opened.close();
      }
    },
  );
}
