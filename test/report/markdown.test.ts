// The Markdown report: totals, a table per account with every key linked to its console page,
// errors, exceptions with the soon-expiring one flagged, and hostile text neutralised.
import { renderReport } from '../../report';
import { BROKEN, DEV, FINDINGS, PROD, consoleUrlOf, fixtureInput } from './fixture';

describe('Markdown report', () => {
  let md: string;
  beforeAll(async () => {
    md = await renderReport('md', fixtureInput());
  });

  it('shows the run and the totals per status', () => {
    expect(md).toMatch(/^# kms-rotor report: run run-2025-06-01/);
    expect(md).toContain('- Status: **HALTED**');
    expect(md).toContain('| NOT_APPLICABLE | 2 |');
    expect(md).toContain('| COMPLIANT | 1 |');
    expect(md).toContain('| **Total** | 7 |');
    // 2 on (COMPLIANT, REMEDIATED) of 4 covered.
    expect(md).toContain('Compliance: **50.0% of the covered keys have rotation on, NOT COVERED: 2 of 3 accounts in scope scanned (1 not scanned), 1 excluded; 4 of 5 enabled Regions scanned (1 not scanned)**');
  });

  it('has a table per account, in order, with every key linked to its console page', () => {
    const prodAt = md.indexOf(`### prod-core (${PROD})`);
    const devAt = md.indexOf(`### dev &amp; &lt;sandbox&gt; (${DEV})`);
    expect(prodAt).toBeGreaterThan(0);
    expect(devAt).toBeGreaterThan(prodAt);
    for (const f of FINDINGS) expect(md).toContain(`[${f.keyId}](${consoleUrlOf(f)})`);
    const keyRows = md.split('\n').filter((l) => l.startsWith('| ') && l.includes('console.aws.amazon.com'));
    expect(keyRows).toHaveLength(FINDINGS.length);
    expect(md).toContain('1 COMPLIANT, 1 REMEDIATED, 1 REMEDIATION_FAILED, 1 NOT_APPLICABLE.');
  });

  it('lists errors and exceptions, flagging the one that ends within 30 days', () => {
    expect(md).toContain('## Errors (2)');
    expect(md).toContain(`| ${BROKEN} | (all Regions) | scan |`);
    expect(md).toContain('Region failure &lt;b&gt;bold&lt;/b&gt;');
    expect(md).toContain('## Exceptions (3)');
    const expiring = md.split('\n').find((l) => l.includes('team-data') && l.includes('2025-06-15') && l.startsWith('| arn'));
    expect(expiring).toContain('**expires in 14 days**');
    expect(md).toContain('every key of account 444444444444');
    expect(md).toMatch(/old-owner .*\*\*expired 31 days ago\*\*/);
  });

  it('shows the waves, the halted one marked', () => {
    expect(md).toContain('## Waves');
    expect(md).toContain('| 2 | 1 | 1 | 0 | 1 | HALTED (100.0% failed) |');
    expect(md).toContain('| 3 | 1 | 1 |  |  | not run |');
  });

  it('escapes HTML and table-breaking characters', () => {
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;');
    // The multi-line reason stays on its row.
    expect(md).toContain('asymmetric key, "RSA\\_2048", not covered');
  });
});
