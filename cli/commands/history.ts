// `rotor history KEY`: one key's findings across runs, oldest first — the audit trail of a key,
// named by its ARN, its key id (with --region and --account) or an alias.
import { Command } from 'commander';
import { inertJson } from '../../functions/core/text';
import { withAwsOptions, withOutputOption, type ListingOutput } from '../aws-options';
import { openStore, withStoreOptions, type StoreOptions } from '../context';
import { keyArnFlag } from '../flag-values';
import { resolveKeyReference, type KeyScope } from '../key-reference';
import { columns } from '../columns';

export function registerHistory(program: Command): void {
  withStoreOptions(
    withOutputOption(withAwsOptions(program.command('history'), { region: false }))
      .description('Show one key across runs: its status, rotation and exception in each run that listed it')
      .argument('<key>', 'the key: its ARN, its key id (with --region and --account, or as a recorded run listed it), or alias/NAME')
      .option('--region <region>', 'the key\'s Region, for a key id or an alias')
      .option('--account <id>', 'the key\'s account id, for a key id or an alias'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  rotor history arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab\n' +
        '  rotor history 1234abcd-12ab-34cd-56ef-1234567890ab --region us-east-1 --account 111111111111\n  rotor history alias/payments --output json',
    )
    .action(async (reference: string, options: StoreOptions & KeyScope & { output: ListingOutput }) => {
      if (reference.startsWith('arn:')) keyArnFlag('<key>', reference);
      const format = options.output;
      const opened = await openStore(options, 'read');
      try {
        const keyArn = await resolveKeyReference(opened.store, reference, options);
        const findings = [];
        for await (const f of opened.store.keyHistory(keyArn)) findings.push(f);
        if (format === 'json') {
          process.stdout.write(`${inertJson(findings, 2)}\n`);
        } else if (findings.length === 0) {
          process.stdout.write(`no run has listed ${keyArn}\n`);
        } else {
          process.stdout.write(
            columns([
              ['SCANNED', 'RUN ID', 'STATUS', 'ROTATION', 'REASON'],
              ...findings.map((f) => [
                f.scannedAt,
                f.runId,
                f.status,
                f.rotationEnabledAfter === undefined ? String(f.rotationEnabledBefore ?? '-') : `${f.rotationEnabledBefore} → ${f.rotationEnabledAfter}`,
                f.reason ?? '',
              ]),
            ]),
          );
        }
      } finally {
        await opened.close();
      }
    });
}
