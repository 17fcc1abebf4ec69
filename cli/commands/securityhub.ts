// `rotor securityhub export`: sends a run's findings to AWS Security Hub as ASFF findings, one per
// key (a later export updates them), in the account and Region the SDK's configuration names.
import { Command } from 'commander';
import { CONTROLS } from '../../functions/core/controls';
import { inertJson, inertText } from '../../functions/core/text';
import { exportRun, securityHubTarget } from '../../functions/aws/security-hub';
import { withAwsOptions, withOutputOption, type AwsOptions, type ListingOutput } from '../aws-options';
import { openStore, withStoreOptions, type StoreOptions } from '../context';
import { RunFailedError } from '../errors';
import { chooseRun } from '../run-choice';

export function registerSecurityHub(program: Command): void {
  const securityhub = program.command('securityhub').description("Send a run's findings to AWS Security Hub (ASFF), one finding per key");
  withStoreOptions(
    withOutputOption(withAwsOptions(securityhub.command('export')))
      .description("Import the run's findings into Security Hub with BatchImportFindings: PASSED, FAILED or NOT_AVAILABLE per key, keys gone since the previous run archived")
      .option('--run-id <id>', 'the run to export')
      .option('--latest', 'the newest run (the default)'),
  )
    .addHelpText('after', '\nExamples:\n  rotor securityhub export --latest\n  rotor securityhub export --run-id 20261129T120000Z-ab12cd34 --region eu-west-1 --output json')
    .action(async (options: StoreOptions & AwsOptions & { runId?: string; latest?: boolean; output: ListingOutput }) => {
      const opened = await openStore(options, 'read');
      try {
        const run = await chooseRun(opened.store, options);
        const target = await securityHubTarget(CONTROLS);
        try {
          const result = await exportRun(opened.store, run, target, new Date());
          if (options.output === 'json') process.stdout.write(`${inertJson(result, 2)}\n`);
          else {
            const s = result.sent;
            process.stdout.write(
              [
                `run ${result.runId} → Security Hub of account ${result.awsAccountId} in ${result.region}`,
                `findings imported: ${result.imported} of ${s.PASSED + s.FAILED + s.NOT_AVAILABLE + s.ARCHIVED} (${s.PASSED} PASSED, ${s.FAILED} FAILED, ${s.NOT_AVAILABLE} NOT_AVAILABLE, ${s.ARCHIVED} archived: keys gone since ${result.previousRunId ?? 'no previous run'})`,
                ...result.failed.map((f) => inertText(`  failed: ${f.id}: ${f.errorCode} ${f.errorMessage}`)),
              ].join('\n') + '\n',
            );
          }
          if (result.failed.length > 0) throw new RunFailedError(`${result.failed.length} finding(s) were not imported into Security Hub`);
        } finally {
          target.client.destroy();
        }
      } finally {
        await opened.close();
      }
    });
}
