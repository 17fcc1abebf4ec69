// The terminal table: totals, per-account counts, the keys that need attention (capped), errors.
import { TABLE_KEY_LIMIT, renderReport } from '../../report';
import type { Finding } from '../../functions/core/schemas';
import { BROKEN, FINDINGS, RUN, fixtureInput } from './fixture';

describe('table report', () => {
  it('prints totals, per-account counts, waves, the attention keys, exceptions and errors', async () => {
    const text = await renderReport('table', fixtureInput());
    const lines = text.split('\n');
    expect(lines[0]).toBe('kms-rotor run run-2025-06-01   mode: remediate   status: HALTED');
    expect(lines).toContain('NOT_APPLICABLE         2');
    expect(lines).toContain('TOTAL                  7');
    expect(text).toContain('compliance: 50.0%');
    expect(text).toMatch(/111111111111 +prod-core +1 +0 +1 +1 +0 +1/);
    expect(text).toMatch(/222222222222 +dev & <sandbox> +0 +1 +0 +0 +1 +1/);
    expect(text).toContain('NON-COMPLIANT AND FAILED KEYS (2)');
    const attention = FINDINGS.filter((f) => f.status === 'NON_COMPLIANT' || f.status === 'REMEDIATION_FAILED');
    for (const f of attention) expect(text).toContain(f.keyId);
    expect(text).not.toContain(FINDINGS[0].keyId); // compliant keys are counted, not listed
    expect(text).toMatch(/2 +1 +1 +0 +1 +HALTED \(100\.0% failed\)/);
    expect(text).toMatch(/EXCEPTIONS \(3\)[\s\S]*expires in 14 days/);
    expect(text).toMatch(new RegExp(`${BROKEN} +\\(all\\) +scan +AccessDenied`));
  });

  it('aligns columns: every row of a block has its cells at the header offsets', async () => {
    const text = await renderReport('table', fixtureInput());
    const block = text.split('\n\n').find((b) => b.startsWith('NON-COMPLIANT'))!.split('\n').slice(1);
    const statusAt = block[0].indexOf('STATUS');
    for (const row of block.slice(1)) expect(row.slice(statusAt)).toMatch(/^(NON_COMPLIANT|REMEDIATION_FAILED)/);
  });

  it('caps the listed keys with "and N more"', async () => {
    const many: Finding[] = Array.from({ length: TABLE_KEY_LIMIT + 7 }, (_, i) => ({
      ...FINDINGS[4],
      keyId: `key-${String(i).padStart(4, '0')}`,
      keyArn: `${FINDINGS[4].keyArn}-${i}`,
    }));
    const text = await renderReport('table', fixtureInput({ findings: () => many, run: { ...RUN, summary: { NON_COMPLIANT: many.length } } }));
    expect(text).toContain(`NON-COMPLIANT AND FAILED KEYS (${many.length})`);
    expect(text).toContain('and 7 more');
    expect(text).toContain(`key-${String(TABLE_KEY_LIMIT - 1).padStart(4, '0')}`);
    expect(text).not.toContain(`key-${String(TABLE_KEY_LIMIT).padStart(4, '0')}`);
  });
});
