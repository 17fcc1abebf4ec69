// The HTML report as text: self-contained, every value escaped, every key linked, every section.
import { renderReport } from '../../report';
import { computeDrift } from '../../functions/core/drift';
import { chartPoints, complianceBand, complianceChartSvg } from '../../report/chart';
import { BROKEN, DEV, EXCEPTIONS, FINDINGS, NOW, PROD, RUN, SCRIPT_ALIAS, consoleUrlOf, fixtureInput } from './fixture';

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
    for (const href of hrefs) expect(href).toMatch(/^(#[a-z-]+\d*|https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/kms\/home\?region=[a-z0-9-]+#\/kms\/(keys|defaultKeys)\/[\w-]+)$/);
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

  it('has a row per key in the account lists, collapsed per account, each linked to its console page', () => {
    const accounts = section(html, 'accounts');
    const ids = (accounts.match(/<tr class="s-[A-Z_]+"><td>[a-z0-9-]+<td><a href="[^"]+">([^<]+)</g) ?? []).map((m) => m.slice(m.lastIndexOf('>') + 1, -1));
    expect(ids).toEqual(FINDINGS.map((f) => f.keyId));
    for (const f of FINDINGS) expect(accounts).toContain(`<a href="${escapeAttr(consoleUrlOf(f))}"`);
    expect(accounts).toContain('#/kms/defaultKeys/');
    expect(accounts.match(/<details class="account"/g)).toHaveLength(2);
    expect(accounts).not.toMatch(/<details[^>]* open/);
    expect(accounts).toContain('1 COMPLIANT, 1 REMEDIATED, 1 REMEDIATION_FAILED, 1 NOT_APPLICABLE');
  });

  it('puts attention first: coverage and totals, the failed keys, then the non-compliant keys, then the errors, then the rest', () => {
    const attention = section(html, 'attention');
    const arns = (attention.match(/data-key-arn="([^"]+)"/g) ?? []).map((m) => m.slice(14, -1));
    const of = (status: string) => FINDINGS.filter((f) => f.status === status).map((f) => f.keyArn);
    expect(arns).toEqual([...of('REMEDIATION_FAILED'), ...of('NON_COMPLIANT')]);
    expect(attention).toContain('data-count="2"');
    const order = ['coverage-panel', 'attention', 'errors', 'account-summary', 'trend', 'waves', 'exceptions', 'accounts'].map((id) => html.indexOf(`id="${id}"`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toMatch(/nav \{ position: sticky; top: 0;/);
  });

  it('states the coverage beside the figure', () => {
    const panel = html.slice(html.indexOf('id="coverage-panel"'), html.indexOf('</div>', html.indexOf('id="coverage-panel"')));
    expect(panel).toContain('data-covered="false"');
    expect(panel).toContain('<b data-field="inScope">3</b>');
    expect(panel).toContain('<b data-field="failed">1</b>');
    expect(panel).toContain('555555555555');
    expect(html).toMatch(/id="coverage" data-covered="false">Compliance 50\.0% of the covered keys have rotation on, NOT COVERED/);
  });

  it('summarises each account: compliance and coverage, those that need attention first', () => {
    const summary = section(html, 'account-summary');
    const rows = [...summary.matchAll(/<tr class="account-row( gap)?" data-account-id="(\d+)">.*?<\/tr>/g)];
    expect(rows.map((r) => r[2])).toEqual([PROD, DEV, BROKEN]);
    const row = (id: string) => rows.find((r) => r[2] === id)![0];
    // PROD: COMPLIANT + REMEDIATED on, REMEDIATION_FAILED off: 66.6%; 2 of 3 Regions scanned.
    expect(row(PROD)).toContain('<td class="num pct poor">66.6%</td>');
    expect(row(PROD)).toContain('<td class="num" data-field="regions">2 of 3</td>');
    expect(row(PROD)).toContain('NOT COVERED');
    expect(row(DEV)).toContain('<td class="num pct poor">0.0%</td>');
    expect(row(BROKEN)).toContain('class="account-row gap"');
  });

  it('marks the exception ending within 30 days, and the expired one', () => {
    const exceptions = section(html, 'exceptions');
    expect(exceptions).toContain(`<tr class="exception expiring-soon" data-target="${EXCEPTIONS[0].target}">`);
    expect(exceptions).toMatch(/class="badge expiring-soon">expires in 14 days</);
    expect(exceptions).toContain(`<tr class="exception active" data-target="444444444444">`);
    expect(exceptions).toContain(`<tr class="exception expired" data-target="${EXCEPTIONS[2].target}">`);
    expect(exceptions).toContain('team-data');
  });

  it('shows error records, only the waves that ran with a count of the rest', () => {
    const errors = section(html, 'errors');
    expect(errors.match(/<tr class="error-record">/g)).toHaveLength(2);
    expect(errors).toContain(BROKEN);
    expect(errors).toContain('all Regions');
    const waves = section(html, 'waves');
    expect(waves.match(/<tr class="wave"/g)).toHaveLength(2);
    expect(waves).toContain('<span class="badge halted">HALTED (100.0% failed)</span>');
    expect(waves).toContain('id="waves-not-run" data-count="1">1 planned wave (1 key) did not run.');
  });

  it('draws the trend on a time axis: a value on every point, scans and remediations apart, coloured by value', () => {
    const trend = section(html, 'trend');
    expect(trend).toContain('<svg class="chart"');
    // Three runs: 25% (scan), 50% (scan) and this run, 50% (remediate).
    expect(trend.match(/<circle class="point scan poor"/g)).toHaveLength(2);
    expect(trend.match(/<rect class="point remediate poor"/g)).toHaveLength(1);
    expect(trend.match(/<text class="value poor"[^>]*>(25\.0|50\.0)%<\/text>/g)).toHaveLength(3);
    expect(trend).not.toMatch(/class="[^"]*point[^"]*good/);
    // x follows time: 2025-05-01 → 05-15 is 14 days, 05-15 → 06-01 is 17 days.
    const xs = [...trend.matchAll(/<(?:circle|rect) class="point (?:scan|remediate) [a-z]+" (?:cx|x)="([\d.]+)"/g)].map((m) => Number(m[1]));
    const [a, b, c] = [xs[0], xs[1], xs[2] + 4.5];
    expect((c - b) / (b - a)).toBeCloseTo(17 / 14, 1);
    expect(trend).toContain('run-2025-05-01 (scan, 2025-05-01 11:00 UTC): 25.0%');
  });

  it('tells two runs of one day apart, and never draws a low value green', () => {
    const day = [
      { runId: 'morning', startedAt: '2025-06-01T08:00:00.000Z', mode: 'scan' as const, summary: { COMPLIANT: 29, NON_COMPLIANT: 71 } },
      { runId: 'morning-again', startedAt: '2025-06-01T08:05:00.000Z', mode: 'scan' as const, summary: { COMPLIANT: 30, NON_COMPLIANT: 70 } },
      { runId: 'noon', startedAt: '2025-06-01T12:00:00.000Z', mode: 'scan' as const, summary: { COMPLIANT: 85, NON_COMPLIANT: 15 } },
    ];
    const svg = complianceChartSvg(chartPoints(day, { runId: 'evening', startedAt: '2025-06-01T18:30:00.000Z', mode: 'remediate', summary: { COMPLIANT: 100 } }));
    expect(svg).toMatch(/<circle class="point scan poor"[^>]*data-run-id="morning"/);
    expect(svg).toMatch(/<circle class="point scan fair"[^>]*data-run-id="noon"/);
    expect(svg).toMatch(/<rect class="point remediate good"[^>]*data-run-id="evening"/);
    expect(svg).toContain('morning (scan, 2025-06-01 08:00 UTC): 29.0%');
    expect(svg).toContain('noon (scan, 2025-06-01 12:00 UTC): 85.0%');
    // Hour ticks, not one date label repeated.
    expect(svg).toMatch(/>2025-06-01 12:00</);
    // The value labels of runs close in time do not overlap.
    const labels = [...svg.matchAll(/<text class="value [a-z]+" x="([\d.]+)" y="([\d.]+)"/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
    expect(labels).toHaveLength(4);
    expect(svg).toMatch(/data-run-id="morning-again"/);
    for (const [i, a] of labels.entries()) for (const b of labels.slice(i + 1)) expect(Math.abs(a.x - b.x) >= 44 || Math.abs(a.y - b.y) >= 13).toBe(true);
    expect(complianceBand(29)).toBe('poor');
  });

  it('adds a drift section when drift is given, and reads the findings twice', async () => {
    let fullPasses = 0;
    const findings = () => {
      fullPasses += 1;
      return FINDINGS;
    };
    const drift = await computeDrift({ run: RUN, findings: FINDINGS }, undefined, EXCEPTIONS, NOW);
    const out = await renderReport('html', fixtureInput({ findings, drift }));
    expect(fullPasses).toBe(2);
    const driftHtml = section(out, 'drift');
    expect(driftHtml).toContain('Drift since the first run');
    expect(driftHtml.match(/<tr class="drift-new"/g)).toHaveLength(drift.newNonCompliant.length);
  });
});
