// The HTML report opened in a real headless Chromium (the one the npm package @sparticuz/chromium
// ships, driven by playwright-core, so `npm ci` is all the set-up): the totals, one row per key,
// the expiring-exception marker and the chart render, hostile text stays text, and the page makes
// no request beyond the file itself. Leaves /tmp/report.png.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import packagedChromium from '@sparticuz/chromium';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { renderReport } from '../../report';
import { EXCEPTIONS, FINDINGS, RUN, SCRIPT_ALIAS, consoleUrlOf, fixtureInput } from '../report/fixture';

/** The page's globals used in evaluate callbacks (the project compiles without the DOM lib). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

describe('HTML report in Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let fileUrl: string;
  const requests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    // Unpacks the packaged browser into the temporary folder on first use (a few seconds), then reuses it.
    const executablePath = await packagedChromium.executablePath();
    dir = mkdtempSync(join(tmpdir(), 'rotor-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, await renderReport('html', fixtureInput()));
    fileUrl = pathToFileURL(file).href;
    // Playwright owns --user-data-dir: a persistent context over a fresh folder is the way to give one.
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath,
      headless: true,
      args: [...packagedChromium.args, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => void requests.push(request.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(fileUrl, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('requests nothing but the file itself and runs no script', () => {
    expect(requests).toEqual([fileUrl]);
    expect(dialogs).toEqual([]);
  });

  it('shows the totals per status', async () => {
    for (const [status, count] of Object.entries(RUN.summary)) {
      await expect(page.locator(`#totals [data-status="${status}"] .num`).textContent()).resolves.toBe(String(count));
    }
    await expect(page.locator('#totals [data-status="TOTAL"] .num').textContent()).resolves.toBe('7');
    await expect(page.locator('#totals [data-status="COMPLIANCE"] .num').textContent()).resolves.toBe('50.0%');
  });

  it('has a visible row per key with its console link, and hostile text shown as text', async () => {
    const rows = page.locator('#accounts tr.key');
    await expect(rows.count()).resolves.toBe(FINDINGS.length);
    const arns = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key-arn')));
    expect(arns).toEqual(FINDINGS.map((f) => f.keyArn));
    const hrefs = await page.locator('#accounts td.key a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(FINDINGS.map(consoleUrlOf));
    await expect(rows.first().isVisible()).resolves.toBe(true);
    const aliasText = await page.locator('#accounts tr.key', { hasText: 'alert(1)' }).locator('.aliases').textContent();
    expect(aliasText).toBe(SCRIPT_ALIAS);
    await expect(page.locator('script').count()).resolves.toBe(0);
    await expect(page.locator('#attention tr.key').count()).resolves.toBe(2);
    await expect(page.locator('#errors tr.error-record').count()).resolves.toBe(2);
  });

  it('marks the exception expiring within 30 days, visibly', async () => {
    const expiring = page.locator('#exceptions tr.expiring-soon');
    await expect(expiring.count()).resolves.toBe(1);
    await expect(expiring.getAttribute('data-target')).resolves.toBe(EXCEPTIONS[0].target);
    await expect(expiring.locator('.badge').textContent()).resolves.toBe('expires in 14 days');
    const background = (selector: string) =>
      page.locator(selector).first().locator('td').first().evaluate((td) => (globalThis as unknown as BrowserGlobals).getComputedStyle(td).backgroundColor);
    const expiringBg = await background('#exceptions tr.expiring-soon');
    expect(expiringBg).not.toBe(await background('#exceptions tr.active'));
    expect(expiringBg).not.toBe('rgba(0, 0, 0, 0)');
  });

  it('draws the compliance chart', async () => {
    const chart = page.locator('#trend svg.chart');
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(100);
    await expect(chart.locator('circle.dot').count()).resolves.toBe(3);
    await expect(chart.locator('polyline.line').count()).resolves.toBe(1);
  });

  it('takes a screenshot', async () => {
    await page.screenshot({ path: '/tmp/report.png', fullPage: true });
  });
});
