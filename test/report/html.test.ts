// The HTML report as text: self-contained, every value escaped, every key linked, every section.
import { renderReport } from '../../report';
import { computeDrift } from '../../functions/core/drift';
import { BROKEN, EXCEPTIONS, FINDINGS, NOW, RUN, SCRIPT_ALIAS, consoleUrlOf, fixtureInput } from './fixture';

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = html.indexOf('<section id="', start + 1);
  return html.slice(start, next === -1 ? undefined : next);
}

describe('HTML report', () => {
  let html: string;
  beforeAll(async () => {
    html = await renderReport('html', fixtureInput());
  });

  it('is one self-contained document: no script, no external resource, a CSP that forbids them', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\bsrc=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    // Links go to in-page anchors or to the console; nothing else is referenced.
    const hrefs = [...html.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(FINDINGS.length);
    for (const href of hrefs) expect(href).toMatch(/^(#[a-z]+|https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/kms\/home\?region=[a-z0-9-]+#\/kms\/(keys|defaultKeys)\/[\w-]+)$/);
    expect([...html.matchAll(/\bxmlns="([^"]*)"/g)].map((m) => m[1])).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('escapes hostile values', () => {
    expect(html).toContain(escapeAttr(SCRIPT_ALIAS));
    expect(html).toContain('Region failure &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('dev &amp; &lt;sandbox&gt;');
    expect(html).not.toContain('<b>bold</b>');
  });

  it('shows totals per status and the compliance', () => {
    const totals = section(html, 'totals');
    for (const [status, count] of Object.entries(RUN.summary)) expect(totals).toContain(`data-status="${status}" data-count="${count}"`);
    expect(totals).toContain('data-status="TOTAL" data-count="7"');
    expect(totals).toContain('50.0%');
  });

  it('has a row per key in the account tables, each linked to its console page', () => {
    const accounts = section(html, 'accounts');
    const rows = accounts.match(/<tr class="key" data-key-arn="[^"]+"/g) ?? [];
    expect(rows.map((r) => r.slice(r.indexOf('arn=') + 5, -1))).toEqual(FINDINGS.map((f) => f.keyArn));
    for (const f of FINDINGS) expect(accounts).toContain(`<a href="${escapeAttr(consoleUrlOf(f))}"`);
    expect(accounts).toContain('#/kms/defaultKeys/');
    expect(accounts.match(/<section class="account"/g)).toHaveLength(2);
    expect(accounts).toContain('1 COMPLIANT, 1 REMEDIATED, 1 REMEDIATION_FAILED, 1 NOT_APPLICABLE');
  });

  it('lists exactly the non-compliant and failed keys first', () => {
    const attention = section(html, 'attention');
    const arns = (attention.match(/data-key-arn="([^"]+)"/g) ?? []).map((m) => m.slice(14, -1));
    expect(arns).toEqual(FINDINGS.filter((f) => f.status === 'NON_COMPLIANT' || f.status === 'REMEDIATION_FAILED').map((f) => f.keyArn));
    expect(attention).toContain('data-count="2"');
    expect(html.indexOf('id="attention"')).toBeLessThan(html.indexOf('id="accounts"'));
  });

  it('marks the exception ending within 30 days, and the expired one', () => {
    const exceptions = section(html, 'exceptions');
    expect(exceptions).toContain(`<tr class="exception expiring-soon" data-target="${EXCEPTIONS[0].target}">`);
    expect(exceptions).toMatch(/class="badge expiring-soon">expires in 14 days</);
    expect(exceptions).toContain(`<tr class="exception active" data-target="444444444444">`);
    expect(exceptions).toContain(`<tr class="exception expired" data-target="${EXCEPTIONS[2].target}">`);
    expect(exceptions).toContain('team-data');
  });

  it('shows error records, the waves and the chart', () => {
    const errors = section(html, 'errors');
    expect(errors.match(/<tr class="error-record">/g)).toHaveLength(2);
    expect(errors).toContain(BROKEN);
    expect(errors).toContain('all Regions');
    const waves = section(html, 'waves');
    expect(waves.match(/<tr class="wave"/g)).toHaveLength(3);
    expect(waves).toContain('<span class="badge halted">HALTED (100.0% failed)</span>');
    const trend = section(html, 'trend');
    expect(trend).toContain('<svg class="chart"');
    // Three runs plotted: 25%, 50% (history) and 50% (this run).
    expect(trend.match(/<circle class="dot"/g)).toHaveLength(3);
    expect(trend).toMatch(/<polyline class="line" points="[\d.]+,[\d.]+ [\d.]+,[\d.]+ [\d.]+,[\d.]+"\/>/);
    expect(trend).toContain('run-2025-05-01 (2025-05-01T11:00:00.000Z): 25.0%');
  });

  it('uses the non-compliant source when given, and a drift section when drift is given', async () => {
    let fullPasses = 0;
    const findings = () => {
      fullPasses += 1;
      return FINDINGS;
    };
    const drift = await computeDrift({ run: RUN, findings: FINDINGS }, undefined, EXCEPTIONS, NOW);
    const out = await renderReport(
      'html',
      fixtureInput({ findings, nonCompliantFindings: () => FINDINGS.filter((f) => f.status === 'NON_COMPLIANT'), drift }),
    );
    expect(fullPasses).toBe(1);
    expect(section(out, 'attention').match(/data-key-arn/g)).toHaveLength(1);
    const driftHtml = section(out, 'drift');
    expect(driftHtml).toContain('Drift since the first run');
    expect(driftHtml.match(/<tr class="drift-new"/g)).toHaveLength(drift.newNonCompliant.length);
  });
});
