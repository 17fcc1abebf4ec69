// The CI gate: what in a finished run or its drift counts as findings, which make the command
// exit 3 (unless --exit-zero). Pure: the commands print, then ask this whether to fail.
import { FINDING_STATUSES } from '../functions/core/schemas';
import { coverageGaps, type Coverage } from '../functions/core/coverage';
import type { Drift } from '../functions/core/drift';
import type { RunRecord } from '../functions/core/schemas';
import { UsageError } from './errors';

/** What --fail-on may name: a finding status, or NOT_COVERED (an account or Region of the scope not scanned). */
export const GATE_CONDITIONS = [...FINDING_STATUSES, 'NOT_COVERED'] as const;
export type GateCondition = (typeof GATE_CONDITIONS)[number];
export const DEFAULT_FAIL_ON: readonly GateCondition[] = ['NON_COMPLIANT', 'REMEDIATION_FAILED', 'NOT_COVERED'];

export interface GateFlags {
  failOn?: string;
  exitZero?: boolean;
}

export interface Gate {
  failOn: ReadonlySet<GateCondition>;
  /** Findings are reported, and the exit code stays 0. */
  exitZero: boolean;
}

/** The gate the flags ask for; an unknown condition is bad usage (exit 2) before anything runs. */
export function gateOf(flags: GateFlags): Gate {
  if (flags.failOn === undefined) return { failOn: new Set(DEFAULT_FAIL_ON), exitZero: flags.exitZero === true };
  const named = flags.failOn.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const unknown = named.filter((n) => !(GATE_CONDITIONS as readonly string[]).includes(n));
  if (unknown.length > 0 || named.length === 0) {
    throw new UsageError(`--fail-on: ${unknown.length ? `unknown ${unknown.map((u) => JSON.stringify(u)).join(', ')}` : 'names nothing'}: use some of ${GATE_CONDITIONS.join(', ')}`);
  }
  return { failOn: new Set(named as GateCondition[]), exitZero: flags.exitZero === true };
}

/** What in a run counts against the gate, in words ("3 NON_COMPLIANT keys", "1 account and 2 Regions not covered"); empty: clean. */
export function runFindings(run: Pick<RunRecord, 'summary'>, coverage: Coverage, gate: Gate): string[] {
  const found: string[] = [];
  for (const status of FINDING_STATUSES) {
    const n = run.summary[status] ?? 0;
    if (n > 0 && gate.failOn.has(status)) found.push(`${n} ${status} key${n === 1 ? '' : 's'}`);
  }
  if (gate.failOn.has('NOT_COVERED')) {
    const gaps = coverageGaps(coverage);
    const parts = [gaps.accountsNotScanned > 0 && `${gaps.accountsNotScanned} account${gaps.accountsNotScanned === 1 ? '' : 's'}`, gaps.regionsNotScanned > 0 && `${gaps.regionsNotScanned} Region${gaps.regionsNotScanned === 1 ? '' : 's'}`].filter(Boolean);
    if (parts.length > 0) found.push(`${parts.join(' and ')} not covered`);
  }
  return found;
}

/** What in a drift counts: keys newly non-compliant and keys that stopped rotating. */
export function driftFindings(drift: Pick<Drift, 'newNonCompliant' | 'regressed'>): string[] {
  return [
    drift.newNonCompliant.length > 0 && `${drift.newNonCompliant.length} new non-compliant key${drift.newNonCompliant.length === 1 ? '' : 's'}`,
    drift.regressed.length > 0 && `${drift.regressed.length} regressed key${drift.regressed.length === 1 ? '' : 's'}`,
  ].filter((s): s is string => typeof s === 'string');
}
