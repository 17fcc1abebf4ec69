// Every format states the coverage beside the compliance figure and lists each scope not covered.
import { renderReport } from '../../report';
import { BROKEN, COVERAGE, EXCLUDED, PROD, fixtureInput } from './fixture';
import { parseCsv } from './csv-reader';

const HEADLINE = '50.0% of the covered keys have rotation on, NOT COVERED: 2 of 3 accounts in scope scanned (1 not scanned), 1 excluded; 4 of 5 enabled Regions scanned (1 not scanned)';

describe('coverage in every format', () => {
  it('table: the headline and a NOT COVERED list', async () => {
    const text = await renderReport('table', fixtureInput());
    expect(text).toContain(`compliance: ${HEADLINE}`);
    expect(text).toMatch(new RegExp(`NOT COVERED \\(3\\)\\nACCOUNT +REGION +STATE +WHY\\n${PROD} +ap-south-1 +NOT_SCANNED +Region failure <b>bold</b>\\n${BROKEN} +\\(all\\) +NOT_SCANNED +AccessDenied`));
    expect(text).toMatch(new RegExp(`${EXCLUDED} +\\(all\\) +EXCLUDED +excluded by the run`));
  });

  it('json: coverage and compliancePercent as the contract says', async () => {
    const report = JSON.parse(await renderReport('json', fixtureInput()));
    expect(report.compliancePercent).toBe(50);
    expect(report.coverage).toEqual(JSON.parse(JSON.stringify(COVERAGE)));
    expect(report.coverage.accounts).toEqual({ inScope: 3, scanned: 2, failed: 1, excluded: [{ accountId: EXCLUDED, why: 'excluded by the run (--exclude-accounts / excludeAccounts)' }] });
    expect(report.coverage.regions.find((r: { accountId: string }) => r.accountId === PROD)).toEqual({ accountId: PROD, enabled: ['ap-south-1', 'eu-west-1', 'us-east-1'], scanned: ['eu-west-1', 'us-east-1'] });
  });

  it('csv: a row per scope not covered after the keys', async () => {
    const rows = parseCsv(await renderReport('csv', fixtureInput()));
    const gaps = rows.filter((r) => r[5] === 'NOT_SCANNED' || r[5] === 'EXCLUDED').map((r) => [r[0], r[2], r[5]]);
    expect(gaps).toEqual([[PROD, 'ap-south-1', 'NOT_SCANNED'], [BROKEN, '', 'NOT_SCANNED'], [EXCLUDED, '', 'EXCLUDED']]);
  });

  it('md and html: the headline', async () => {
    expect(await renderReport('md', fixtureInput())).toContain('## Coverage');
    const html = await renderReport('html', fixtureInput());
    expect(html).toContain('<p class="meta" id="coverage" data-covered="false">Compliance 50.0% of the covered keys have rotation on, NOT COVERED: 2 of 3 accounts');
  });
});
