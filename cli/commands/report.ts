// `rotor report`: a run's audit report from the results store, in any format; `--evidence DIR`
// writes the bundle an auditor is handed (cli/evidence.ts).
import { Command } from 'commander';
import { parseReportFormat } from '../../report';
import { outputOption, reportFormatOf, withAwsOptions, type AwsOptions } from '../aws-options';
import { checkWritable, note, openStore, withStoreOptions, type StoreOptions } from '../context';
import { writeRunReport } from '../run-report';
import { checkEvidenceDir, writeEvidence } from '../evidence';
import { reportInputFor } from '../../report/input';
import { UsageError } from '../errors';
import { chooseRun, type RunChoice } from '../run-choice';

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
}
