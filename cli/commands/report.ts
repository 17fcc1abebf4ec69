// `rotor report`, `rotor runs` and `rotor status`: what the results store says about runs; `report
// --evidence DIR` writes the bundle an auditor is handed (cli/evidence.ts).
import { Command } from 'commander';
import { parseReportFormat } from '../../report';
import type { RunRecord } from '../../functions/core/schemas';
import type { ResultsStore } from '../../functions/store/results-store';
import { inertJson, inertText } from '../../functions/core/text';
import { outputOption, reportFormatOf, withAwsOptions, withOutputOption, type AwsOptions, type ListingOutput } from '../aws-options';
import { checkWritable, note, openStore, withStoreOptions, type StoreOptions } from '../context';
import { writeRunReport } from '../run-report';
import { checkEvidenceDir, writeEvidence } from '../evidence';
import { reportInputFor } from '../../report/input';
import { UsageError } from '../errors';
import { integerFlag } from '../flag-values';

interface RunChoice {
  runId?: string;
  latest?: boolean;
}

/** The run a command is about: `--run-id ID`, or `--latest` (the default). */
export async function chooseRun(store: ResultsStore, choice: RunChoice): Promise<RunRecord> {
  if (choice.runId && choice.latest) throw new UsageError('give --run-id or --latest, not both');
  if (choice.runId) {
    const run = await store.getRun(choice.runId);
    if (!run) throw new UsageError(`unknown run id "${choice.runId}": \`rotor runs\` lists the runs`);
    return run;
  }
  const latest = await store.latestRun();
  if (!latest) throw new UsageError('there are no runs yet: start one with `rotor run --local` (or `npm start` for the demo)');
  return latest;
}

export function registerReport(program: Command): void {
  withStoreOptions(
    withAwsOptions(program.command('report'))
      .description('Print or write the audit report of a run from the results store')
      .option('--run-id <id>', 'the run to report')
      .option('--latest', 'the newest run (the default)')
      .option('--format <format>', 'table (the default), json, csv, md, html or ocsf (OCSF Compliance Findings)')
      .addOption(outputOption())
      .option('--out <file>', 'write to FILE instead of stdout')
      .option('--evidence <dir>', 'write every format and manifest.json (run, coverage, control ids, SHA-256 of each file) into DIR, new or empty'),
  )
    .addHelpText('after', '\nExamples:\n  rotor report --latest --format html --out report.html\n  rotor report --run-id 20261129T120000Z-ab12cd34 --format csv\n  rotor report --latest --evidence evidence/')
    .action(async (options: RunChoice & StoreOptions & AwsOptions & { format?: string; output?: string; out?: string; evidence?: string }) => {
      const format = parseReportFormat(reportFormatOf(options.output, options.format, '--format'));
      if (options.evidence !== undefined) {
        if (options.format !== undefined || options.out !== undefined) throw new UsageError('--evidence writes every format into its folder: give it without --format and --out');
        checkEvidenceDir(options.evidence);
      }
      await checkWritable(options.out);
      const opened = await openStore(options, 'read');
      try {
        const run = await chooseRun(opened.store, options);
        if (options.evidence === undefined) await writeRunReport(opened.store, run, format, options.out);
        else {
          const files = await writeEvidence(await reportInputFor(opened.store, run, new Date()), options.evidence, new Date());
          note(`evidence of run ${run.runId} written to ${options.evidence}: ${files.join(', ')}`);
        }
      } finally {
        await opened.close();
      }
    });

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
        else process.stdout.write(formatColumns(rows));
      } finally {
        await opened.close();
      }
    },
  );

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

/** Columns padded to their widest cell, every cell inert (one line, no control character). */
export function formatColumns(table: string[][]): string {
  const rows = table.map((r) => r.map((cell) => inertText(cell)));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}
