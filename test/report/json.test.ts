// The JSON report parsed back and checked against the documented contract's shape (docs/operator-guide.md), field by field.
import { renderReport } from '../../report';
import { computeDrift } from '../../functions/core/drift';
import { ERRORS, FINDINGS, NOW, RUN, consoleUrlOf, fixtureInput } from './fixture';

const REQUIRED = ['accountId', 'region', 'keyId', 'keyArn', 'status', 'rotationEnabledBefore', 'consoleUrl'];
const OPTIONAL = ['reason', 'rotationEnabledAfter', 'rotationPeriodInDays', 'nextRotationDate', 'onDemandRotationStartDate', 'aliases', 'tags', 'wave', 'exception'];

describe('JSON report', () => {
  it('has the contract top-level fields with the run values and a summary for every status', async () => {
    const report = JSON.parse(await renderReport('json', fixtureInput()));
    expect(Object.keys(report)).toEqual(['runId', 'mode', 'status', 'startedAt', 'finishedAt', 'summary', 'compliancePercent', 'coverage', 'controls', 'findings', 'errors', 'waves']);
    expect(report).toMatchObject({ runId: RUN.runId, mode: 'remediate', status: 'HALTED', startedAt: RUN.startedAt, finishedAt: RUN.finishedAt });
    expect(report.summary).toEqual({ COMPLIANT: 1, NON_COMPLIANT: 1, REMEDIATED: 1, REMEDIATION_FAILED: 1, EXEMPT: 1, NOT_APPLICABLE: 2 });
  });

  it('lists one finding per key in store order with exactly the contract fields (plus consoleUrl)', async () => {
    const report = JSON.parse(await renderReport('json', fixtureInput()));
    expect(report.findings).toHaveLength(FINDINGS.length);
    report.findings.forEach((f: Record<string, unknown>, i: number) => {
      const source = FINDINGS[i];
      for (const field of REQUIRED) expect(f).toHaveProperty(field);
      for (const field of Object.keys(f)) expect([...REQUIRED, ...OPTIONAL]).toContain(field);
      expect(f.keyArn).toBe(source.keyArn);
      expect(f.status).toBe(source.status);
      expect(f.rotationEnabledBefore).toBe(source.rotationEnabledBefore);
      expect(f.reason).toBe(source.reason);
      expect(f.wave).toBe(source.wave);
      expect(f.consoleUrl).toBe(consoleUrlOf(source));
    });
    const exempt = report.findings.find((f: { status: string }) => f.status === 'EXEMPT');
    expect(exempt.exception).toEqual({ owner: 'team-data', reason: 'vendor lock, "legacy" app', expiresAt: '2025-06-15' });
    const remediated = report.findings.find((f: { status: string }) => f.status === 'REMEDIATED');
    expect(remediated).toMatchObject({ rotationEnabledBefore: false, rotationEnabledAfter: true, rotationPeriodInDays: 365, wave: 1 });
    // No internal fields leak (runId, scannedAt); the key's aliases and next rotation date are there.
    expect(report.findings[0]).not.toHaveProperty('scannedAt');
    expect(report.findings[0]).toMatchObject({ aliases: ['alias/app'], nextRotationDate: '2026-03-01T00:00:00.000Z' });
    expect(report.findings[1]).not.toHaveProperty('aliases');
    expect(report.findings[0].tags).toEqual({ team: 'a=b;c', cost: '=1+2' });
    expect(report.findings[1]).not.toHaveProperty('tags');
  });

  it('reports errors as {accountId, region?, error}', async () => {
    const report = JSON.parse(await renderReport('json', fixtureInput()));
    expect(report.errors).toEqual([
      { accountId: ERRORS[0].accountId, error: ERRORS[0].error },
      { accountId: ERRORS[1].accountId, region: 'ap-south-1', error: ERRORS[1].error },
    ]);
  });

  it('includes the wave plan and results', async () => {
    const report = JSON.parse(await renderReport('json', fixtureInput()));
    expect(report.waves.plan.map((w: { wave: number }) => w.wave)).toEqual([1, 2, 3]);
    expect(report.waves.results).toEqual(RUN.waves);
  });

  it('adds drift and expiredExceptions when drift is given, and is valid with no findings', async () => {
    const drift = await computeDrift({ run: RUN, findings: FINDINGS }, undefined, fixtureInput().exceptions!, NOW);
    const withDrift = JSON.parse(await renderReport('json', fixtureInput({ drift })));
    expect(withDrift.drift.previousRunId).toBeNull();
    expect(withDrift.drift.newNonCompliant.map((k: { keyArn: string }) => k.keyArn)).toEqual(drift.newNonCompliant.map((f) => f.keyArn));
    expect(withDrift.expiredExceptions).toEqual([{ target: drift.expiredExceptions[0].target, owner: 'old-owner', reason: 'migration', expiresAt: '2025-05-01' }]);

    const empty = JSON.parse(
      await renderReport('json', fixtureInput({ run: { ...RUN, waves: [], summary: {}, finishedAt: undefined }, findings: () => [], errors: [], wavePlan: undefined })),
    );
    expect(empty.findings).toEqual([]);
    expect(empty.finishedAt).toBeNull();
    expect(empty).not.toHaveProperty('waves');
  });
});
