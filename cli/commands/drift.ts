// `rotor drift`: what changed since the previous run of the same scope, and the keys continuous
// enforcement changed or recorded in between; new non-compliant or regressed keys exit 3
// (--exit-zero: 0).
import { Command } from 'commander';
import type { Finding } from '../../functions/core/schemas';
import { inertJson, inertText } from '../../functions/core/text';
import { driftOfRun, previousRunOf } from '../../functions/store/run-drift';
import { withAwsOptions, withOutputOption, type AwsOptions, type ListingOutput } from '../aws-options';
import { note, openStore, withStoreOptions, type StoreOptions } from '../context';
import { EXIT_CODES_HELP, FindingsError } from '../errors';
import { driftFindings } from '../gate';
import { columns } from '../columns';
import { chooseRun } from '../run-choice';
import { keyEventsFor } from '../../functions/store/run-key-events';
import { eventAction, keyEventsSummary } from '../../functions/core/run-key-events';

export function registerDrift(program: Command): void {
  withStoreOptions(
    withOutputOption(withAwsOptions(program.command('drift')))
      .description('Compare a run with the previous run of the same scope: new non-compliant keys, regressions, resolutions, expired exceptions, and the keys events changed in between')
      .option('--run-id <id>', 'the run (default: the newest)')
      .option('--exit-zero', 'report drift but exit 0'),
  )
    .addHelpText('after', `\nNew non-compliant or regressed keys exit 3 (a CI gate); --exit-zero reports them and exits 0.\n${EXIT_CODES_HELP}`)
    .action(async (options: StoreOptions & AwsOptions & { runId?: string; output: ListingOutput; exitZero?: boolean }) => {
      const format = options.output;
      const opened = await openStore(options, 'read');
      try {
        const run = await chooseRun(opened.store, { runId: options.runId });
        const now = new Date();
        const drift = await driftOfRun(opened.store, run, now);
        const keyEvents = await keyEventsFor(opened.store, run, await previousRunOf(opened.store, run), now);
        const found = driftFindings(drift);
        const gate = () => {
          if (found.length === 0) return;
          if (options.exitZero) note(`drift: ${found.join('; ')} (exit 0: --exit-zero)`);
          else throw new FindingsError(`drift of run ${drift.runId}: ${found.join('; ')} (exit 3; --exit-zero reports without failing)`);
        };
        if (format === 'json') {
          process.stdout.write(`${inertJson({ ...drift, keyEvents }, 2)}\n`);
          return gate();
        }
        const out = [inertText(`drift of run ${drift.runId} against ${drift.previousRunId ?? '(no earlier run covered these keys)'}`)];
        const section = (title: string, findings: Finding[]) => {
          out.push(`\n${title}: ${findings.length}`);
          if (findings.length > 0) {
            out.push(columns([['ACCOUNT', 'REGION', 'KEY', 'STATUS'], ...findings.map((f) => [f.accountId, f.region, f.keyId, f.status])]).trimEnd());
          }
        };
        section('new non-compliant keys', drift.newNonCompliant);
        section('regressed keys (were rotating)', drift.regressed);
        section('resolved keys', drift.resolved);
        out.push(`\nexceptions expired since: ${drift.expiredExceptions.length}`);
        for (const e of drift.expiredExceptions) out.push(inertText(`  ${e.target} (owner ${e.owner}, expired ${e.expiresAt})`));
        out.push(`\nchanged by events (continuous enforcement; * since this run started): ${keyEvents.events.length}`, inertText(keyEventsSummary(keyEvents)));
        if (keyEvents.events.length > 0) {
          const rows = keyEvents.events.map((e) => [`${e.handledAt}${e.sinceRun ? ' *' : ''}`, e.accountId, e.region, e.keyId, e.eventName, eventAction(e), e.principal, e.eventId]);
          out.push(columns([['HANDLED', 'ACCOUNT', 'REGION', 'KEY', 'EVENT', 'DONE', 'BY', 'EVENT ID'], ...rows]).trimEnd());
        }
        process.stdout.write(`${out.join('\n')}\n`);
        gate();
      } finally {
        await opened.close();
      }
    });
}
