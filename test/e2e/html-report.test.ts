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
import { LARGE_ACCOUNTS, LARGE_FAILED, LARGE_KEYS, LARGE_NOT_RUN, largeRunInput } from '../report/large-run';

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
    const rows = page.locator('#accounts tbody tr');
    await expect(rows.count()).resolves.toBe(FINDINGS.length);
    const hrefs = await page.locator('#accounts tbody td:nth-child(2) a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(FINDINGS.map(consoleUrlOf));
    // Collapsed per account until opened.
    await expect(rows.first().isVisible()).resolves.toBe(false);
    for (const summary of await page.locator('#accounts details.account > summary').all()) await summary.click();
    await expect(rows.first().isVisible()).resolves.toBe(true);
    const aliasText = await page.locator('#accounts tbody tr', { hasText: 'alert(1)' }).locator('.aliases').textContent();
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
    await expect(chart.locator('.point:not(.legend)').count()).resolves.toBe(3);
    await expect(chart.locator('text.value').count()).resolves.toBe(3);
    await expect(chart.locator('polyline.line').count()).resolves.toBe(1);
  });

  it('takes a screenshot', async () => {
    await page.screenshot({ path: '/tmp/report.png', fullPage: true });
  });
});

describe('HTML report of a 10,000-key halted rollout in Chromium', () => {
  const VIEWPORT = { width: 1366, height: 768 };
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let bytes: number;

  beforeAll(async () => {
    const executablePath = await packagedChromium.executablePath();
    // The screenshot stays in this folder for a person to look at; the browser profile does not.
    dir = mkdtempSync(join(tmpdir(), 'rotor-html-10k-'));
    const file = join(dir, 'report.html');
    const html = await renderReport('html', largeRunInput());
    writeFileSync(file, html);
    bytes = Buffer.byteLength(html);
    process.stdout.write(`HTML report of ${LARGE_KEYS} keys in ${LARGE_ACCOUNTS} accounts: ${(bytes / 1024 / 1024).toFixed(2)} MB (${bytes} bytes); screenshot ${join(dir, 'first-screen.png')}\n`);
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath,
      headless: true,
      args: [...packagedChromium.args, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: VIEWPORT,
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(join(dir, 'profile'), { recursive: true, force: true });
  });

  it('is a page under 4 MB holding every key', async () => {
    expect(bytes).toBeLessThan(4 * 1024 * 1024);
    await expect(page.locator('#accounts tbody tr').count()).resolves.toBe(LARGE_KEYS);
    await expect(page.locator('#accounts details.account').count()).resolves.toBe(LARGE_ACCOUNTS);
  });

  it('shows the coverage and the attention list on the first screen, without scrolling', async () => {
    await page.screenshot({ path: join(dir, 'first-screen.png') });
    const within = async (selector: string) => {
      const box = await page.locator(selector).first().boundingBox();
      expect({ selector, visible: box !== null }).toEqual({ selector, visible: true });
      expect({ selector, top: box!.y >= 0, bottom: box!.y + box!.height <= VIEWPORT.height }).toEqual({ selector, top: true, bottom: true });
    };
    await within('#coverage');
    await within('#coverage-panel');
    await within('#attention h2');
    // The first keys of the list are the failed ones, on screen.
    await within('#attention tr.key');
    await expect(page.locator('#attention tr.key').first().getAttribute('data-status')).resolves.toBe('REMEDIATION_FAILED');
    await expect(page.locator('#attention tr.key[data-status="REMEDIATION_FAILED"]').count()).resolves.toBe(LARGE_FAILED);
    await expect(page.locator('#attention-count').getAttribute('data-count')).resolves.toBe(String(LARGE_FAILED + LARGE_NOT_RUN));
  });

  it('keeps the navigation on screen while scrolling', async () => {
    await page.locator('#exceptions').scrollIntoViewIfNeeded();
    const nav = await page.locator('nav').boundingBox();
    expect(nav?.y).toBe(0);
    await page.locator('nav a[href="#attention"]').click();
    const attention = await page.locator('#attention').boundingBox();
    expect(attention!.y).toBeLessThan(VIEWPORT.height);
  });

  it('lists only the waves that ran, and counts the rest', async () => {
    await expect(page.locator('#waves tr.wave').count()).resolves.toBe(3);
    await expect(page.locator('#waves-not-run').getAttribute('data-count')).resolves.toBe('57');
  });

  it("opens an account's collapsed key list", async () => {
    const account = page.locator('#accounts details.account').nth(5);
    const rows = account.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(LARGE_KEYS / LARGE_ACCOUNTS);
    await expect(rows.first().isVisible()).resolves.toBe(false);
    await account.locator('summary').click();
    await expect(account.getAttribute('open')).resolves.toBe('');
    await expect(rows.first().isVisible()).resolves.toBe(true);
    await expect(rows.last().isVisible()).resolves.toBe(true);
    await expect(page.locator('#accounts details.account').nth(6).locator('tbody tr').first().isVisible()).resolves.toBe(false);
  });

  it('summarises every account with its compliance and coverage', async () => {
    await expect(page.locator('#account-summary tr.account-row').count()).resolves.toBe(LARGE_ACCOUNTS + 1);
    await expect(page.locator('#account-summary tr.account-row.gap').count()).resolves.toBe(1);
  });
});
