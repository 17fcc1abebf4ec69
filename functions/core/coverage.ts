// What a run covered of what it was meant to cover, and compliance over what it covered: the
// accounts of its scope scanned, not scanned and excluded (each with why), and per account the
// Regions scanned against the Regions enabled. Every report and summary line states the figure
// and the gap side by side, so a run that left anything out never reads as a bare "100%". Pure.
import type { AccountSummary } from './account-summary';
import type { ErrorRecord, RunRecord } from './schemas';

export interface ExcludedAccount {
  accountId: string;
  why: string;
}

export interface RegionCoverage {
  accountId: string;
  /** The Regions enabled in the account (of the credentials' partition). */
  enabled: string[];
  /** The Regions whose keys were all listed and read. */
  scanned: string[];
}

export interface NotScanned {
  accountId: string;
  /** Absent: the whole account. */
  region?: string;
  why: string;
}

export interface Coverage {
  accounts: {
    /** Accounts of the Organization the run's scope selected (after exclusions): what it was to scan. */
    inScope: number;
    /** Of those, the accounts whose every Region in scope was scanned. */
    scanned: number;
    /** Of those, the accounts not scanned in full (a role missing, a Region left, the run failed first). */
    failed: number;
    /** Accounts left out on purpose (--exclude-accounts) or asked for but not in the Organization. */
    excluded: ExcludedAccount[];
  };
  regions: RegionCoverage[];
  /** Each account and Region of the scope that was not scanned, and why (its error record). */
  notScanned: NotScanned[];
  /** The Regions the run was limited to (--regions); absent when it scanned every enabled Region. */
  askedRegions?: string[];
}

/** The figures a headline states beside the compliance percentage. */
export interface CoverageGaps {
  /** Accounts in scope not scanned in full. */
  accountsNotScanned: number;
  accountsExcluded: number;
  enabledRegions: number;
  scannedRegions: number;
  /** Enabled Regions of the run's scope that were not scanned: a failure. */
  regionsNotScanned: number;
  /** Enabled Regions left out by --regions: the operator's choice, stated, not a failure. */
  regionsNotAsked: number;
}

export const EXCLUDED_BY_INPUT = 'excluded by the run (--exclude-accounts / excludeAccounts)';

type SummaryFacts = Pick<AccountSummary, 'accountId' | 'regions' | 'enabledRegions' | 'scannedRegions' | 'scannedAt'>;

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

export function runCoverage(
  run: Pick<RunRecord, 'input' | 'accountCount'>,
  summaries: readonly SummaryFacts[],
  errors: readonly Pick<ErrorRecord, 'accountId' | 'region' | 'keyId' | 'phase' | 'error'>[],
): Coverage {
  const excluded = new Map<string, string>();
  for (const accountId of stringList(run.input.excludeAccounts) ?? []) excluded.set(accountId, EXCLUDED_BY_INPUT);
  for (const e of errors) if (e.phase === 'list-accounts' && !excluded.has(e.accountId)) excluded.set(e.accountId, e.error);
  const inScope = Math.max(run.accountCount, summaries.length);
  const scanned = summaries.filter((s) => s.scannedAt !== undefined).length;
  const askedRegions = stringList(run.input.regions);
  const asked = askedRegions && new Set(askedRegions);
  // The first scan error of a scope says why it was not scanned.
  const why = new Map<string, string>();
  const scope = (accountId: string, region?: string) => `${accountId}/${region ?? ''}`;
  for (const e of errors) if (e.phase === 'scan' && !e.keyId && !why.has(scope(e.accountId, e.region))) why.set(scope(e.accountId, e.region), e.error);
  const notScanned: NotScanned[] = [];
  const withSummary = new Set(summaries.map((s) => s.accountId));
  for (const s of summaries) {
    const done = new Set(s.scannedRegions);
    if (s.scannedAt === undefined && done.size === 0) {
      notScanned.push({ accountId: s.accountId, why: why.get(scope(s.accountId)) ?? 'not scanned: the run ended before its scan did' });
      continue;
    }
    for (const region of s.enabledRegions ?? s.regions) {
      if (done.has(region) || (asked && !asked.has(region))) continue;
      notScanned.push({ accountId: s.accountId, region, why: why.get(scope(s.accountId, region)) ?? why.get(scope(s.accountId)) ?? 'not scanned: the run ended before its scan did' });
    }
  }
  for (const e of errors) {
    if (e.phase === 'scan' && !e.region && !withSummary.has(e.accountId) && !notScanned.some((n) => n.accountId === e.accountId)) notScanned.push({ accountId: e.accountId, why: e.error });
  }
  notScanned.sort((a, b) => a.accountId.localeCompare(b.accountId) || (a.region ?? '').localeCompare(b.region ?? ''));
  return {
    accounts: {
      inScope,
      scanned,
      failed: inScope - scanned,
      excluded: [...excluded].sort(([a], [b]) => a.localeCompare(b)).map(([accountId, why]) => ({ accountId, why })),
    },
    regions: [...summaries]
      .sort((a, b) => a.accountId.localeCompare(b.accountId))
      .map((s) => ({ accountId: s.accountId, enabled: [...(s.enabledRegions ?? s.regions)].sort(), scanned: [...s.scannedRegions].sort() })),
    notScanned,
    ...(askedRegions && { askedRegions: [...askedRegions].sort() }),
  };
}

export function coverageGaps(coverage: Coverage): CoverageGaps {
  const asked = coverage.askedRegions && new Set(coverage.askedRegions);
  let enabledRegions = 0;
  let scannedRegions = 0;
  let regionsNotScanned = 0;
  let regionsNotAsked = 0;
  for (const r of coverage.regions) {
    const scanned = new Set(r.scanned);
    enabledRegions += r.enabled.length;
    for (const region of r.enabled) {
      if (scanned.has(region)) scannedRegions += 1;
      else if (asked && !asked.has(region)) regionsNotAsked += 1;
      else regionsNotScanned += 1;
    }
  }
  return {
    accountsNotScanned: coverage.accounts.failed,
    accountsExcluded: coverage.accounts.excluded.length,
    enabledRegions,
    scannedRegions,
    regionsNotScanned,
    regionsNotAsked,
  };
}

/** Whether every account and Region of the run's scope was scanned (exclusions and --regions aside). */
export function scopeCovered(coverage: Coverage): boolean {
  const gaps = coverageGaps(coverage);
  return gaps.accountsNotScanned === 0 && gaps.regionsNotScanned === 0;
}

/** Whether nothing at all was left out: the scope scanned in full, nothing excluded, no Region left out. */
export function fullyCovered(coverage: Coverage): boolean {
  const gaps = coverageGaps(coverage);
  return scopeCovered(coverage) && gaps.accountsExcluded === 0 && gaps.regionsNotAsked === 0;
}

/**
 * Compliance as the control counts it, over the keys the run covered: keys with rotation on
 * (COMPLIANT, REMEDIATED) over the keys the control covers that are not excepted (those plus
 * NON_COMPLIANT, REMEDIATION_FAILED). EXEMPT and NOT_APPLICABLE keys are outside the ratio; keys
 * of accounts and Regions not scanned are unknown, which is why the figure is never shown
 * without the coverage. Null when no key is covered.
 */
export function compliancePercent(summary: RunRecord['summary'] | undefined): number | null {
  const on = (summary?.COMPLIANT ?? 0) + (summary?.REMEDIATED ?? 0);
  const covered = on + (summary?.NON_COMPLIANT ?? 0) + (summary?.REMEDIATION_FAILED ?? 0);
  return covered === 0 ? null : (100 * on) / covered;
}

/** 99.95% reads 99.9%, never 100.0%: rounded down to one decimal. */
export function formatPercent(percent: number | null): string {
  return percent === null ? 'n/a' : `${(Math.floor(percent * 10) / 10).toFixed(1)}%`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "118 of 120 accounts in scope scanned (2 not scanned), 1 excluded; 470 of 480 enabled Regions scanned (4 not scanned, 6 not asked for (--regions))". */
export function coverageText(coverage: Coverage): string {
  const g = coverageGaps(coverage);
  const a = coverage.accounts;
  const regionGaps = [g.regionsNotScanned > 0 && `${g.regionsNotScanned} not scanned`, g.regionsNotAsked > 0 && `${g.regionsNotAsked} not asked for (--regions)`].filter(Boolean);
  const accounts =
    `${a.scanned} of ${plural(a.inScope, 'account')} in scope scanned` +
    (g.accountsNotScanned > 0 ? ` (${g.accountsNotScanned} not scanned)` : '') +
    (g.accountsExcluded > 0 ? `, ${g.accountsExcluded} excluded` : '');
  const regions = `${g.scannedRegions} of ${plural(g.enabledRegions, 'enabled Region')} scanned${regionGaps.length ? ` (${regionGaps.join(', ')})` : ''}`;
  return `${accounts}; ${regions}`;
}

/**
 * The headline: the percentage and, unless nothing was left out, the gap beside it. Never a
 * bare "100%" for a run that did not see everything.
 */
export function complianceHeadline(summary: RunRecord['summary'] | undefined, coverage: Coverage): string {
  const figure = `${formatPercent(compliancePercent(summary))} of the covered keys have rotation on`;
  if (fullyCovered(coverage)) return `${figure} (coverage: complete, ${coverageText(coverage)})`;
  return `${figure}, NOT COVERED: ${coverageText(coverage)}`;
}
