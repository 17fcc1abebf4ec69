// `rotor history KEY_ARN`: one key's findings across runs, oldest first — the audit trail of a key.
import { Command } from 'commander';
import { inertJson } from '../../functions/core/text';
import { openStore, tableOrJson, withStoreOptions, type StoreOptions } from '../context';
import { keyArnFlag } from '../flag-values';
import { formatColumns } from './report';

export function registerHistory(program: Command): void {
  withStoreOptions(
    program
      .command('history')
      .description('Show one key across runs: its status, rotation and exception in each run that listed it')
      .argument('<key-arn>', 'the key')
      .option('--format <format>', 'table or json', 'table'),
  )
    .action(async (keyArn: string, options: StoreOptions & { format: string }) => {
      keyArnFlag('<key-arn>', keyArn);
      const format = tableOrJson(options.format);
      const opened = await openStore(options, 'read');
      try {
        const findings = [];
        for await (const f of opened.store.keyHistory(keyArn)) findings.push(f);
        if (format === 'json') {
          process.stdout.write(`${inertJson(findings, 2)}\n`);
        } else if (findings.length === 0) {
          process.stdout.write(`no run has listed ${keyArn}\n`);
        } else {
          process.stdout.write(
            formatColumns([
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
