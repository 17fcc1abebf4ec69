// `rotor exceptions add|list|remove`: exceptions with owner, reason and expiry, kept in the
// results store so the deployed machine and the local runner see the same ones.
import { Command } from 'commander';
import { daysLeft, expiringWithin, isActive } from '../../functions/core/exceptions';
import { ACCOUNT_ID, ExceptionRecord, InputError, KEY_ARN, parseOrThrow } from '../../functions/core/schemas';
import { integerFlag, keyArnFlag, quoted } from '../flag-values';
import { inertJson, inertText } from '../../functions/core/text';
import { withAwsOptions, withOutputOption, type ListingOutput } from '../aws-options';
import { note, openStore, withStoreOptions, type StoreOptions } from '../context';
import { keyArnProblem } from '../key-reference';
import { UsageError } from '../errors';
import { columns } from '../columns';

interface AddOptions extends StoreOptions {
  keyArn?: string;
  account?: string;
  owner?: string;
  reason?: string;
  expires?: string;
}

/** Validates an exception as typed; a bad or missing field names its flag. */
export function exceptionFromFlags(options: AddOptions, now: Date): ExceptionRecord {
  if (options.keyArn && options.account) throw new UsageError('give --key-arn or --account, not both');
  if (!options.keyArn && !options.account) throw new UsageError('--key-arn or --account: one is required (what the exception covers)');
  if (options.keyArn) {
    keyArnFlag('--key-arn', options.keyArn);
    const problem = keyArnProblem(options.keyArn);
    if (problem) throw new UsageError(`--key-arn: ${quoted(options.keyArn)} ${problem}`);
  }
  if (options.account && !ACCOUNT_ID.test(options.account)) throw new UsageError(`--account: ${quoted(options.account)} is not a 12-digit account id`);
  for (const flag of ['owner', 'reason', 'expires'] as const) {
    if (!options[flag]?.trim()) throw new UsageError(`--${flag}: is required`);
  }
  const expires = options.expires!;
  const date = new Date(`${expires}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== expires) {
    throw new UsageError(`--expires: "${expires}" is not a date YYYY-MM-DD`);
  }
  const record = { target: options.keyArn ?? options.account!, owner: options.owner!.trim(), reason: options.reason!.trim(), expiresAt: expires, createdAt: now.toISOString() };
  if (!isActive(record, now)) throw new UsageError(`--expires: ${expires} is in the past; an exception must expire in the future`);
  try {
    return parseOrThrow(ExceptionRecord, record);
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message);
    throw error;
  }
}

export function registerExceptions(program: Command): void {
  const exceptions = program.command('exceptions').description('Exceptions: keys or accounts left alone, each with an owner, a reason and an expiry');

  withStoreOptions(
    withAwsOptions(exceptions.command('add'))
      .description('Add an exception: its keys become EXEMPT and are not remediated until it expires')
      .option('--key-arn <arn>', 'the key it covers')
      .option('--account <id>', 'or: every key of this account')
      .option('--owner <who>', 'who answers for it (required)')
      .option('--reason <why>', 'why rotation stays off (required)')
      .option('--expires <YYYY-MM-DD>', 'last day it holds, in the future (required)'),
  )
    .addHelpText('after', '\nExample:\n  rotor exceptions add --key-arn arn:aws:kms:us-east-1:111111111111:key/… --owner alice@example.com --reason "vendor appliance" --expires 2027-03-31')
    .action(async (options: AddOptions) => {
      const record = exceptionFromFlags(options, new Date());
      const opened = await openStore(options);
      try {
        if ((await opened.store.addException(record)) === 'exists') {
          throw new UsageError(`an exception for ${record.target} exists already: remove it first (rotor exceptions remove ${record.target})`);
        }
        process.stdout.write(`${inertText(`exception added for ${record.target} (owner ${record.owner}, expires ${record.expiresAt})`)}\n`);
      } finally {
        await opened.close();
      }
    });

  withStoreOptions(
    withOutputOption(withAwsOptions(exceptions.command('list')))
      .description('List exceptions with days left; expired ones are marked')
      .option('--expiring-within <days>', 'only those that lapse within N days'),
  ).action(async (options: StoreOptions & { expiringWithin?: string; output: ListingOutput }) => {
    const format = options.output;
    const within = options.expiringWithin === undefined ? undefined : integerFlag('--expiring-within', options.expiringWithin, 0);
    const opened = await openStore(options, 'read');
    try {
      const now = new Date();
      const stored = await opened.store.storedExceptions();
      const all = stored.flatMap((e) => (e.ok ? [e.exception] : []));
      // A malformed item is always listed (its expiry cannot be read), with what is wrong: it stops
      // every report and remediation until it is removed.
      const malformed = stored.flatMap((e) => (e.ok ? [] : [{ target: e.target, malformed: e.problem }]));
      const shown = within === undefined ? all : expiringWithin(all, within, now);
      const rows = shown.map((e) => ({ ...e, daysLeft: daysLeft(e, now), expired: !isActive(e, now) }));
      if (malformed.length > 0) note(`${malformed.length} malformed exception(s): reports and remediation stop on them until removed (\`rotor exceptions remove TARGET\`)`);
      if (format === 'json') {
        process.stdout.write(`${inertJson([...rows, ...malformed], 2)}\n`);
      } else if (rows.length + malformed.length === 0) {
        process.stdout.write('no exceptions\n');
      } else {
        process.stdout.write(
          columns([
            ['TARGET', 'OWNER', 'EXPIRES', 'DAYS LEFT', 'REASON'],
            ...rows.map((e) => [e.target, e.owner, e.expiresAt, e.expired ? 'EXPIRED' : String(e.daysLeft), e.reason]),
            ...malformed.map((e) => [e.target, '', '', 'MALFORMED', e.malformed]),
          ]),
        );
      }
    } finally {
      await opened.close();
    }
  });

  withStoreOptions(withAwsOptions(exceptions.command('remove')).description('Remove the exception for a key ARN or account id').argument('<target>', 'key ARN or account id')).action(
    async (target: string, options: StoreOptions) => {
      const wellFormed = KEY_ARN.test(target) || ACCOUNT_ID.test(target);
      // 'read' for another target: a folder with no store holds no malformed item, and stays as it is.
      const opened = await openStore(options, wellFormed ? 'write' : 'read');
      try {
        // Any other target only when a malformed item has exactly it (how such an item is removed).
        if (!wellFormed && !(await opened.store.storedExceptions()).some((e) => !e.ok && e.target === target)) {
          throw new UsageError(`${quoted(target)} is not a KMS key ARN or a 12-digit account id`);
        }
        if (!(await opened.store.removeException(target))) throw new UsageError(`no exception for ${target}: \`rotor exceptions list\` shows them`);
        process.stdout.write(`exception for ${target} removed\n`);
      } finally {
        await opened.close();
      }
    },
  );
}
