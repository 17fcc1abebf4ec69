// Drift as a pure function over two runs' findings: every case the module documents.
import { computeDrift, coversScope, driftSummary } from '../../functions/core/drift';
import { expiresAtMs, isActive } from '../../functions/core/exceptions';
import type { ErrorRecord, ExceptionRecord, Finding, FindingStatus, RunRecord } from '../../functions/core/schemas';

const A = '111111111111';
const B = '222222222222';

function run(runId: string, startedAt: string): RunRecord {
  return { runId, mode: 'scan', status: 'SUCCEEDED', startedAt, input: {}, accountCount: 2, waveCount: 0, waves: [], summary: {}, errorCount: 0, scope: 'org' };
}
const PREV = run('prev', '2025-05-01T10:00:00.000Z');
const CURR = run('curr', '2025-06-01T10:00:00.000Z');
const NOW = new Date('2025-06-01T10:30:00.000Z');

function key(runId: string, name: string, status: FindingStatus, accountId = A, region = 'us-east-1'): Finding {
  return {
    runId,
    accountId,
    region,
    keyId: name,
    keyArn: `arn:aws:kms:${region}:${accountId}:key/${name}`,
    status,
    rotationEnabledBefore: status === 'COMPLIANT',
    scannedAt: runId === 'prev' ? PREV.startedAt : CURR.startedAt,
  };
}

async function* streamed<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

const arns = (fs: Finding[]) => fs.map((f) => f.keyId);

describe('coversScope: an earlier run that covered the keys a scoped run asks for', () => {
  const summary = (accountId: string, scannedRegions: string[], scannedAt: string | undefined = '2025-05-01T10:05:00.000Z') => ({ accountId, scannedRegions, scannedAt });
  const orgRun = { input: {}, summaries: [summary(A, ['eu-west-1', 'us-east-1']), summary(B, ['us-east-1'])] };

  it('covers when it scanned every account asked for in full', () => {
    expect(coversScope(orgRun, { accounts: [A] })).toBe(true);
    expect(coversScope(orgRun, { accounts: [A, B] })).toBe(true);
    expect(coversScope(orgRun, { accounts: [A], regions: ['eu-west-1'] })).toBe(true);
  });

  it('does not cover an account it did not scan, or scanned only in part, or a Region it did not scan', () => {
    expect(coversScope(orgRun, { accounts: [A, '333333333333'] })).toBe(false);
    expect(coversScope({ input: {}, summaries: [{ accountId: A, scannedRegions: ['us-east-1'] }] }, { accounts: [A] })).toBe(false);
    expect(coversScope(orgRun, { accounts: [B], regions: ['eu-west-1'] })).toBe(false);
  });

  it('limited to some Regions itself, covers only a run limited to those Regions', () => {
    const limited = { input: { regions: ['us-east-1'] }, summaries: [summary(A, ['us-east-1'])] };
    expect(coversScope(limited, { accounts: [A] })).toBe(false);
    expect(coversScope(limited, { accounts: [A], regions: ['us-east-1'] })).toBe(true);
    expect(coversScope(limited, { accounts: [A], regions: ['us-east-1', 'eu-west-1'] })).toBe(false);
  });
});

describe('computeDrift', () => {
  it('finds new, regressed and resolved keys and leaves unchanged keys out', async () => {
    // Each key's status in the previous run and in this one (none: not listed in that run).
    const changes: [name: string, before: FindingStatus | null, now: FindingStatus | null][] = [
      ['stays-compliant', 'COMPLIANT', 'COMPLIANT'],
      ['stays-broken', 'NON_COMPLIANT', 'NON_COMPLIANT'],
      ['broken-then-failed', 'NON_COMPLIANT', 'REMEDIATION_FAILED'],
      ['regresses', 'COMPLIANT', 'NON_COMPLIANT'],
      ['remediated-then-off', 'REMEDIATED', 'NON_COMPLIANT'],
      ['exempt-expired', 'EXEMPT', 'NON_COMPLIANT'],
      ['fixed', 'NON_COMPLIANT', 'COMPLIANT'],
      ['remediated-now', 'REMEDIATION_FAILED', 'REMEDIATED'],
      ['deleted', 'NON_COMPLIANT', null],
      ['pending-deletion', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
      ['was-disabled', 'NOT_APPLICABLE', 'NON_COMPLIANT'],
      ['exempt-now', 'NON_COMPLIANT', 'EXEMPT'],
      ['compliant-then-exempt', 'COMPLIANT', 'EXEMPT'],
      ['brand-new', null, 'NON_COMPLIANT'],
      ['brand-new-compliant', null, 'COMPLIANT'],
      ['brand-new-na', null, 'NOT_APPLICABLE'],
    ];
    const previous = changes.flatMap(([name, before]) => (before ? [key('prev', name, before)] : []));
    const current = changes.flatMap(([name, , now]) => (now ? [key('curr', name, now)] : []));
    const drift = await computeDrift({ run: CURR, findings: streamed(current) }, { run: PREV, findings: streamed(previous) }, [], NOW);
    expect(drift.runId).toBe('curr');
    expect(drift.previousRunId).toBe('prev');
    expect(arns(drift.newNonCompliant)).toEqual(['was-disabled', 'brand-new']);
    expect(arns(drift.regressed)).toEqual(['regresses', 'remediated-then-off', 'exempt-expired']);
    expect(arns(drift.resolved)).toEqual(['fixed', 'remediated-now', 'pending-deletion', 'deleted']);
    // The deleted key is reported with its previous finding.
    expect(drift.resolved[3].runId).toBe('prev');
    expect(drift.resolved[0].runId).toBe('curr');
    const listed = new Set([...drift.newNonCompliant, ...drift.regressed, ...drift.resolved].map((f) => f.keyId));
    for (const unchanged of ['stays-compliant', 'stays-broken', 'broken-then-failed', 'exempt-now', 'compliant-then-exempt', 'brand-new-compliant', 'brand-new-na']) {
      expect(listed.has(unchanged)).toBe(false);
    }
    expect(driftSummary(drift)).toEqual({ newNonCompliant: 2, regressed: 3, resolved: 4, expiredExceptions: 0 });
  });

  it('counts a key turned off and fixed within a remediate run as regressed; a key never seen before and REMEDIATED by this run is not new', async () => {
    const drift = await computeDrift(
      { run: CURR, findings: [key('curr', 'off-and-fixed', 'REMEDIATED'), key('curr', 'new-fixed', 'REMEDIATED'), key('curr', 'new-failed', 'REMEDIATION_FAILED')] },
      { run: PREV, findings: [key('prev', 'off-and-fixed', 'COMPLIANT')] },
      [],
      NOW,
    );
    expect(arns(drift.regressed)).toEqual(['off-and-fixed']);
    expect(arns(drift.newNonCompliant)).toEqual(['new-failed']);
    expect(drift.resolved).toEqual([]);
  });

  it('with no previous run, the keys this run remediated are not new non-compliant keys', async () => {
    const current = [key('curr', 'fixed-1', 'REMEDIATED'), key('curr', 'fixed-2', 'REMEDIATED'), key('curr', 'failed', 'REMEDIATION_FAILED'), key('curr', 'left', 'NON_COMPLIANT')];
    const drift = await computeDrift({ run: CURR, findings: current }, undefined, [], NOW);
    expect(arns(drift.newNonCompliant)).toEqual(['failed', 'left']);
  });

  it('does not resolve keys of a scope that could not be scanned this run', async () => {
    const previous = [
      key('prev', 'in-errored-account', 'NON_COMPLIANT', B, 'us-east-1'),
      key('prev', 'in-errored-region', 'NON_COMPLIANT', A, 'eu-west-1'),
      key('prev', 'other-region-deleted', 'NON_COMPLIANT', A, 'us-east-1'),
      key('prev', 'errored-but-listed', 'NON_COMPLIANT', A, 'eu-west-1'),
    ];
    const current = [key('curr', 'errored-but-listed', 'COMPLIANT', A, 'eu-west-1')];
    const errors: ErrorRecord[] = [
      { runId: 'curr', accountId: B, phase: 'scan', error: 'AccessDenied', at: CURR.startedAt },
      { runId: 'curr', accountId: A, region: 'eu-west-1', phase: 'scan', error: 'Region failure', at: CURR.startedAt },
    ];
    const drift = await computeDrift({ run: CURR, findings: current, errors }, { run: PREV, findings: previous }, [], NOW);
    // A finding that was written despite the error is real data; absence in an errored scope is not.
    expect(arns(drift.resolved)).toEqual(['errored-but-listed', 'other-region-deleted']);
  });

  it('with no previous run, every key found off is new and nothing is resolved', async () => {
    const current = [key('curr', 'a', 'COMPLIANT'), key('curr', 'b', 'NON_COMPLIANT'), key('curr', 'c', 'NON_COMPLIANT'), key('curr', 'd', 'EXEMPT')];
    const drift = await computeDrift({ run: CURR, findings: streamed(current) }, undefined, [], NOW);
    expect(drift.previousRunId).toBeNull();
    expect(arns(drift.newNonCompliant)).toEqual(['b', 'c']);
    expect(drift.regressed).toEqual([]);
    expect(drift.resolved).toEqual([]);
  });

  it('reports no drift when nothing changed', async () => {
    const same = (runId: string) => [key(runId, 'x', 'COMPLIANT'), key(runId, 'y', 'NON_COMPLIANT'), key(runId, 'z', 'NOT_APPLICABLE')];
    const drift = await computeDrift({ run: CURR, findings: same('curr') }, { run: PREV, findings: same('prev') }, [], NOW);
    expect(driftSummary(drift)).toEqual({ newNonCompliant: 0, regressed: 0, resolved: 0, expiredExceptions: 0 });
  });

  it('lists exceptions that expired after the previous run started and by now', async () => {
    const exception = (target: string, expiresAt: string): ExceptionRecord => ({ target, owner: 'o', reason: 'r', expiresAt, createdAt: '2025-01-01' });
    const exceptions = [
      exception(A, '2025-04-30'), // ended before the previous run: expired long ago
      exception(B, '2025-05-01'), // holds through 2025-05-01: still active when the previous run started
      exception('333333333333', '2025-05-31'), // ended 2025-06-01T00:00Z, before now
      exception('444444444444', '2025-06-01'), // holds through today: not expired yet
      exception('555555555555', '2026-01-01'),
    ];
    const drift = await computeDrift({ run: CURR, findings: [] }, { run: PREV, findings: [] }, exceptions, NOW);
    expect(drift.expiredExceptions.map((e) => e.target)).toEqual([B, '333333333333']);
    const first = await computeDrift({ run: CURR, findings: [] }, undefined, exceptions, NOW);
    expect(first.expiredExceptions.map((e) => e.target)).toEqual([A, B, '333333333333']);
  });
});

describe('exception expiry', () => {
  it('holds through the end of the expiry day, UTC', () => {
    expect(new Date(expiresAtMs({ expiresAt: '2025-06-01' })).toISOString()).toBe('2025-06-02T00:00:00.000Z');
    expect(isActive({ expiresAt: '2025-06-01' }, new Date('2025-06-01T23:59:59.999Z'))).toBe(true);
    expect(isActive({ expiresAt: '2025-06-01' }, new Date('2025-06-02T00:00:00.000Z'))).toBe(false);
    expect(() => expiresAtMs({ expiresAt: 'soon' })).toThrow('not a date');
  });
});
