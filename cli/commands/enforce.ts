// `rotor enforce --local --events FILE`: continuous enforcement on this machine. Each EventBridge
// event of FILE goes through the same enforcer as the deployed EnforceKey function, against the AWS
// the SDK points at, with the results in the embedded store (or --table); one line per event, or
// JSON. Exit 0 when every event was handled (enforced, recorded or dropped with a reason).
import { Command, Option } from 'commander';
import { inertJson, inertText } from '../../functions/core/text';
import { withAwsOptions, withOutputOption, type AwsOptions, type ListingOutput } from '../aws-options';
import { checkStoreLocation, note, openStore, withStoreOptions, type StoreOptions } from '../context';
import { RunFailedError, UsageError } from '../errors';
import { readEventFile } from '../event-file';
import { externalIdFlag, inputFromFlags, withMemberAccessOptions, type RunFlags } from '../run-input';

interface EnforceOptions extends StoreOptions, AwsOptions, Pick<RunFlags, 'roleName' | 'remediateRoleName' | 'externalId' | 'rotationPeriodDays'> {
  local?: boolean;
  events: string;
  enforcement: 'remediate' | 'detect';
  output: ListingOutput;
}

export function registerEnforce(program: Command): void {
  withStoreOptions(
    withOutputOption(
      withMemberAccessOptions(
        withAwsOptions(program.command('enforce'))
          .description('Enforce rotation on the keys that KMS events (CloudTrail via EventBridge) name, as the deployed EnforceKey function does')
          .option('--local', 'enforce on this machine against the AWS the SDK is configured for (the deployed function takes the events itself)')
          .requiredOption('--events <file>', 'EventBridge events: a JSON array or JSON lines; - for stdin')
          .addOption(new Option('--enforcement <mode>', 'remediate turns rotation on; detect only records each key').choices(['remediate', 'detect']).default('detect')),
      ),
    ),
  )
    .addHelpText('after', '\nExamples:\n  rotor enforce --local --events events.json --enforcement remediate\n  rotor enforce --local --events - --output json < events.jsonl')
    .action(async (options: EnforceOptions) => {
      if (!options.local) throw new UsageError('enforce runs with --local; deployed, the EnforceKey function takes the events from its queue');
      const config = inputFromFlags({ roleName: options.roleName, remediateRoleName: options.remediateRoleName, rotationPeriodDays: options.rotationPeriodDays });
      const externalId = externalIdFlag(options.externalId);
      const events = await readEventFile(options.events);
      await checkStoreLocation(options, 'write');
      const opened = await openStore(options, 'write', { command: 'enforce' });
      const [{ EventEnforcer, organizationMembership }, { ENABLE_PER_SECOND }, { ExecutionInput }] = await Promise.all([
        import('../../functions/aws/event-enforcement'),
        import('../../functions/aws/rotation'),
        import('../../functions/core/schemas'),
      ]);
      const settings = ExecutionInput.parse(config);
      const enforcer = new EventEnforcer(
        {
          mode: options.enforcement,
          scanRoleName: settings.roleName,
          remediateRoleName: settings.remediateRoleName,
          externalId,
          rotationPeriodInDays: settings.rotationPeriodInDays,
          enablePerSecond: ENABLE_PER_SECOND,
        },
        { store: opened.store, isMember: organizationMembership(), now: () => new Date() },
      );
      note(`enforcing ${events.length} event(s) (${options.enforcement}); results go to ${opened.where}`);
      const results = [];
      let unhandled = 0;
      try {
        for (const event of events) {
          try {
            results.push(await enforcer.handle(event));
          } catch (error) {
            if ((error as Error).name === 'CredentialsProviderError') throw new UsageError('no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or try it on the simulated organization: `rotor simulate`');
            unhandled++;
            const eventId = (event as { detail?: { eventID?: string } } | null)?.detail?.eventID;
            results.push({ eventId, outcome: 'failed' as const, reason: `not handled: ${(error as Error).message}`, line: `failed ${eventId ?? '(no event id)'}: not handled: ${(error as Error).message}` });
          }
        }
      } finally {
        enforcer.close();
        await opened.close();
      }
      if (options.output === 'json') {
        process.stdout.write(`${inertJson(results.map(({ line: _line, ...result }) => result), 2)}\n`);
      } else {
        for (const result of results) process.stdout.write(`${inertText(result.line)}\n`);
      }
      if (unhandled > 0) throw new RunFailedError(`${unhandled} of ${events.length} event(s) could not be handled; run them again`);
    });
}
