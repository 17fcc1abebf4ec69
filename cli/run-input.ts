// Turns `rotor run` flags into the state machine's execution input, validated by the same
// schema that guards the state machine; a bad value names its flag (exit 2, nothing touched).
import { EXTERNAL_ID, ExecutionInput, InputError, parseOrThrow, type ExecutionInputRaw } from '../functions/core/schemas';
import { UsageError } from './errors';
import { decimalFlag, integerFlag, quoted } from './flag-values';
import type { Command } from 'commander';

export interface RunFlags {
  mode?: string;
  accounts?: string;
  excludeAccounts?: string;
  ous?: string;
  regions?: string;
  roleName?: string;
  remediateRoleName?: string;
  externalId?: string;
  rotationPeriodDays?: string;
  waveSize?: string;
  waveOrder?: string;
  maxFailureRate?: string;
  priorityTag?: string[];
  priorityOus?: string;
  runId?: string;
  readKeyTags?: boolean;
}

/** Which flag sets which input field, so an error names what the user typed. */
const FLAG_OF: Record<string, string> = {
  mode: '--mode',
  accounts: '--accounts',
  excludeAccounts: '--exclude-accounts',
  organizationalUnits: '--ous',
  regions: '--regions',
  roleName: '--role-name',
  remediateRoleName: '--remediate-role-name',
  rotationPeriodInDays: '--rotation-period-days',
  'waves.size': '--wave-size',
  'waves.order': '--wave-order',
  'waves.maxFailureRate': '--max-failure-rate',
  'priority.accountTags': '--priority-tag',
  'priority.organizationalUnits': '--priority-ous',
  runId: '--run-id',
  readKeyTags: '--read-key-tags',
};

const optional = <T>(value: string | undefined, parse: (value: string) => T): T | undefined => (value === undefined ? undefined : parse(value));

const list = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * `--priority-tag KEY=VALUE[,VALUE]`, repeatable, values of one key merged. Collected in a Map so
 * that a key named like an Object property (`constructor`, `__proto__`) reaches the schema, which
 * refuses it by name, instead of acting on a plain object here.
 */
function priorityTags(values: string[] | undefined): Record<string, string[]> | undefined {
  if (!values || values.length === 0) return undefined;
  const tags = new Map<string, string[]>();
  for (const v of values) {
    const match = /^([^=]+)=(.+)$/s.exec(v);
    if (!match) throw new UsageError(`--priority-tag: ${quoted(v)} is not KEY=VALUE[,VALUE]`);
    const [, key, given] = match;
    const tagValues = list(given)!;
    if (tagValues.length === 0) throw new UsageError(`--priority-tag: ${quoted(v)} names no value`);
    tags.set(key, [...(tags.get(key) ?? []), ...tagValues]);
  }
  return Object.fromEntries(tags);
}

/**
 * The execution input for these flags: only what the user gave (so the deployment's own
 * defaults, such as its member role names, still apply), checked against the schema first.
 */
export function inputFromFlags(flags: RunFlags): ExecutionInputRaw {
  const raw: ExecutionInputRaw = {
    mode: flags.mode as ExecutionInputRaw['mode'],
    accounts: list(flags.accounts),
    excludeAccounts: list(flags.excludeAccounts),
    organizationalUnits: list(flags.ous),
    regions: list(flags.regions),
    roleName: flags.roleName,
    remediateRoleName: flags.remediateRoleName,
    rotationPeriodInDays: optional(flags.rotationPeriodDays, (v) => integerFlag('--rotation-period-days', v)),
    waves: {
      size: optional(flags.waveSize, (v) => integerFlag('--wave-size', v)),
      order: flags.waveOrder as 'priority' | undefined,
      maxFailureRate: optional(flags.maxFailureRate, (v) => decimalFlag('--max-failure-rate', v)),
    },
    priority: { accountTags: priorityTags(flags.priorityTag), organizationalUnits: list(flags.priorityOus) },
    runId: flags.runId,
    readKeyTags: flags.readKeyTags,
    trigger: 'cli',
  };
  const given = JSON.parse(JSON.stringify(raw)) as ExecutionInputRaw;
  try {
    parseOrThrow(ExecutionInput, given);
    return given;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const message = error.issues
      .map(({ field, message }) => {
        const key = Object.keys(FLAG_OF).find((f) => field === f || field.startsWith(`${f}.`));
        return `${key ? FLAG_OF[key] : field}: ${message}`;
      })
      .join('; ');
    throw new UsageError(message);
  }
}

/**
 * `--external-id`, checked as the member roles' trust would take it. It is no part of the input:
 * the local runner hands it to the steps that assume member roles as their configuration.
 */
export function externalIdFlag(value: string | undefined): string | undefined {
  if (value !== undefined && !EXTERNAL_ID.test(value)) throw new UsageError('--external-id: must be 2-1224 characters of [\\w+=,.@:/-]');
  return value;
}

/** The member-access flags `run` and `enforce` share: which roles to assume, with which ExternalId, and the period to set. */
export function withMemberAccessOptions(command: Command): Command {
  return command
    .option('--role-name <name>', 'member role a scan assumes (default KmsRotorScanRole)')
    .option('--remediate-role-name <name>', 'member role remediation assumes (default KmsRotorRemediateRole)')
    .option('--external-id <id>', 'with --local: the ExternalId the member roles require (deployed, the functions read the deployment\'s)')
    .option('--rotation-period-days <n>', 'rotation period to set, 90–2560 (default: KMS default, 365)');
}
