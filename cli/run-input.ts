// Turns `rotor run` flags into the state machine's execution input, validated by the same
// schema that guards the state machine; a bad value names its flag (exit 2, nothing touched).
import { ExecutionInput, InputError, parseOrThrow, type ExecutionInputRaw } from '../functions/core/schemas';
import { UsageError } from './errors';

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
  externalId: '--external-id',
  rotationPeriodInDays: '--rotation-period-days',
  'waves.size': '--wave-size',
  'waves.order': '--wave-order',
  'waves.maxFailureRate': '--max-failure-rate',
  'priority.accountTags': '--priority-tag',
  'priority.organizationalUnits': '--priority-ous',
  runId: '--run-id',
};

const list = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter(Boolean);

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag}: "${value}" is not a number`);
  return n;
}

function priorityTags(values: string[] | undefined): Record<string, string[]> | undefined {
  if (!values || values.length === 0) return undefined;
  const tags: Record<string, string[]> = {};
  for (const v of values) {
    const match = /^([^=]+)=(.+)$/.exec(v);
    if (!match) throw new UsageError(`--priority-tag: "${v}" is not KEY=VALUE[,VALUE]`);
    tags[match[1]] = [...(tags[match[1]] ?? []), ...list(match[2])!];
  }
  return tags;
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
    externalId: flags.externalId,
    rotationPeriodInDays: number('--rotation-period-days', flags.rotationPeriodDays),
    waves: {
      size: number('--wave-size', flags.waveSize),
      order: flags.waveOrder as 'priority' | undefined,
      maxFailureRate: number('--max-failure-rate', flags.maxFailureRate),
    },
    priority: { accountTags: priorityTags(flags.priorityTag), organizationalUnits: list(flags.priorityOus) },
    runId: flags.runId,
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
