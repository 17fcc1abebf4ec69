// The control table, and every report format carrying its ids.
import { CONTROLS, controlsText } from '../../functions/core/controls';
import { REPORT_FORMATS, renderReport } from '../../report';
import { fixtureInput } from '../report/fixture';

describe('controls', () => {
  it('maps the check to each CIS version, Security Hub KMS.4, CCE, NIST 800-53 and PCI DSS', () => {
    const ids = CONTROLS.map((c) => `${c.framework} ${c.id}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        'CIS AWS Foundations Benchmark v1.2.0 2.8',
        'CIS AWS Foundations Benchmark v1.4.0 3.8',
        'CIS AWS Foundations Benchmark v1.5.0 3.8',
        'CIS AWS Foundations Benchmark v3.0.0 3.6',
        'AWS Foundational Security Best Practices (Security Hub) KMS.4',
        'Common Configuration Enumeration CCE-78920-6',
        'NIST SP 800-53 Rev. 5 SC-12',
        'NIST SP 800-53 Rev. 5 SC-28',
        'PCI DSS v3.2.1 3.6.4',
      ]),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(REPORT_FORMATS)('the %s report carries every control id', async (format) => {
    const text = await renderReport(format, fixtureInput());
    for (const id of ['2.8', '3.8', '3.6', 'KMS.4', 'CCE-78920-6', 'SC-12', 'SC-28', '3.6.4']) expect(text).toContain(id);
    if (format !== 'json' && format !== 'ocsf') expect(text).toContain(format === 'md' ? 'CIS AWS Foundations Benchmark v1.2.0 2.8' : controlsText());
  });

  it('the JSON report lists them as {framework, id}', async () => {
    expect(JSON.parse(await renderReport('json', fixtureInput())).controls).toEqual(CONTROLS);
  });
});
