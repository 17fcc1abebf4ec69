// The hostile corpus (test/support/hostile-corpus.ts) through every report format: the terminal
// table, CSV, Markdown and HTML come out inert, and JSON gives back the text unchanged while
// printing inert too.
import { CSV_COLUMNS, renderReport } from '../../report';
import {
  HIDDEN_CHARACTER,
  HOSTILE_CORPUS,
  HOSTILE_ERRORS,
  HOSTILE_EXCEPTIONS,
  HOSTILE_FINDINGS,
  expectInertForTerminal,
  hostileReportInput,
} from '../support/hostile-corpus';
import { parseCsv } from './csv-reader';
import { KEY_EVENTS, fixtureInput } from './fixture';

const CONSOLE_KEY_URL = /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/kms\/home\?region=us-east-1#\/kms\/keys\/[A-Za-z0-9%_.!~*'()-]+$/;

describe('the hostile corpus in the terminal table', () => {
  let text: string;
  beforeAll(async () => {
    text = await renderReport('table', hostileReportInput());
  });

  it('has no control or format character and no forged row', () => expectInertForTerminal(text));

  it('shows what was hidden as visible escapes', () => {
    expect(text).toContain('\\x1B[2J');
    expect(text).toContain('\\x1B]0;pwned\\x07');
    expect(text).toContain('invoice\\u202Efdp.exe');
  });

  it('keeps every listed key on one line', () => {
    const block = text.split('\n\n').find((b) => b.startsWith('NON-COMPLIANT AND FAILED KEYS'))!.split('\n');
    expect(block).toHaveLength(2 + HOSTILE_FINDINGS.length);
    const errors = text.slice(text.indexOf('ERRORS (')).trimEnd().split('\n');
    expect(errors).toHaveLength(2 + HOSTILE_ERRORS.length);
  });
});

describe('the hostile corpus in CSV', () => {
  let raw: string;
  let rows: string[][];
  beforeAll(async () => {
    raw = await renderReport('csv', hostileReportInput());
    rows = parseCsv(raw);
  });

  it('parses back to one row per key and per scope not covered, every row with every column', () => {
    const input = hostileReportInput();
    expect(rows).toHaveLength(HOSTILE_FINDINGS.length + input.coverage.notScanned.length + input.coverage.accounts.excluded.length + input.keyEvents!.events.length + 1);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
  });

  it('has no cell a spreadsheet would run: each formula starts with a quote and is quoted', () => {
    const runnable = (cell: string) => /^[\t\r\n]/.test(cell) || /^\s*[=+\-@＝＋－＠﹦﹢﹣﹫]/.test(cell);
    const guarded = rows.flat().filter((cell) => cell.startsWith("'"));
    expect(guarded.length).toBeGreaterThanOrEqual(10);
    for (const cell of rows.flat()) if (runnable(cell)) throw new Error(`runnable cell ${JSON.stringify(cell)}`);
    for (const cell of guarded) expect(raw).toContain(`"${cell.replace(/"/g, '""')}"`);
    expect(raw).not.toMatch(/(^|,)'/m);
  });

  it('holds no control or format character but the line breaks of rows, and the line breaks and tabs of quoted cells', () => {
    const hidden = [...raw.replace(/\r\n/g, '').replace(/[\n\t]/g, '')].filter((c) => HIDDEN_CHARACTER.test(c));
    expect(hidden).toEqual([]);
    const reasons = rows.slice(1).map((r) => r[CSV_COLUMNS.indexOf('reason')]);
    expect(reasons).toContain("'=HYPERLINK(\"http://evil.example\",\"click\")");
    expect(reasons).toContain('invoice\\u202Efdp.exe');
  });
});

/** The positions of `char` in `line` that no backslash escapes. */
function unescaped(line: string, char: string): number[] {
  const at: number[] = [];
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === char) at.push(i);
  }
  return at;
}

describe('the hostile corpus in Markdown', () => {
  let md: string;
  beforeAll(async () => {
    md = await renderReport('md', hostileReportInput());
  });

  it('has no control or format character and no forged row', () => expectInertForTerminal(md));

  it('makes no link but the console links, and no autolink', () => {
    let consoleLinks = 0;
    const withoutConsoleLinks = md
      .split('\n')
      .map((line) => {
        let rest = line;
        for (const close of unescaped(line, ']').reverse()) {
          const destination = /^\]\(([^)]*)\)/.exec(line.slice(close));
          expect(destination?.[1]).toMatch(CONSOLE_KEY_URL);
          consoleLinks++;
          rest = rest.slice(0, close) + rest.slice(close + destination![0].length);
        }
        expect(unescaped(rest, '[')).toHaveLength(unescaped(line, ']').length);
        return rest;
      })
      .join('\n');
    expect(consoleLinks).toBe(HOSTILE_FINDINGS.length * 5); // each key in its account's table, in the three drift lists and in the key events
    expect(withoutConsoleLinks).not.toContain('<');
    expect(withoutConsoleLinks).not.toMatch(/[^\\]:\/\//);
    expect(withoutConsoleLinks).not.toMatch(/www\./i);
    for (const line of withoutConsoleLinks.split('\n')) expect(unescaped(line, '@')).toEqual([]);
  });

  it('keeps every table row to its columns', () => {
    const tables: string[][] = [];
    let previous = '';
    for (const line of md.split('\n')) {
      if (line.startsWith('|') && !previous.startsWith('|')) tables.push([]);
      if (line.startsWith('|')) tables[tables.length - 1].push(line);
      previous = line;
    }
    expect(tables.length).toBeGreaterThan(HOSTILE_FINDINGS.length);
    for (const table of tables) expect(new Set(table.map((row) => unescaped(row, '|').length)).size).toBe(1);
  });
});

describe('the hostile corpus in HTML', () => {
  let html: string;
  /** Every element and attribute name in a page: attribute values are quoted, and escaping keeps a quote out of them. */
  const markupOf = (page: string) =>
    new Set(
      [...page.matchAll(/<[^>]*>/g)].flatMap(([tag]) => {
        const bare = tag.replace(/"[^"]*"/g, '');
        return [...bare.matchAll(/^<\/?([a-z][a-z0-9]*)|\s([a-z][\w:-]*)/gi)].map((m) => (m[1] ? `<${m[1]}>` : m[2]).toLowerCase());
      }),
    );
  beforeAll(async () => {
    html = await renderReport('html', hostileReportInput());
  });

  it('has no element or attribute the report does not make itself', async () => {
    const own = markupOf(await renderReport('html', fixtureInput({ keyEvents: KEY_EVENTS })));
    expect([...markupOf(html)].filter((name) => !own.has(name))).toEqual([]);
  });

  it('links only to its own anchors and the console', () => {
    const hrefs = [...html.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1].replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
    for (const href of hrefs) expect(href).toMatch(href.startsWith('#') ? /^#[a-z-]+\d*$/ : CONSOLE_KEY_URL);
  });

  it('has no control or format character', () => {
    expect([...html.replace(/\n/g, '')].filter((c) => HIDDEN_CHARACTER.test(c))).toEqual([]);
    expect(html).toContain('invoice\\u202Efdp.exe');
  });
});

describe('the hostile corpus in JSON', () => {
  let raw: string;
  beforeAll(async () => {
    raw = await renderReport('json', hostileReportInput());
  });

  it('is faithful data: every value parses back as it came', () => {
    const report = JSON.parse(raw);
    expect(report.findings.map((f: { reason: string }) => f.reason)).toEqual(HOSTILE_CORPUS);
    expect(report.findings.map((f: { exception: { owner: string } }) => f.exception.owner)).toEqual(HOSTILE_CORPUS);
    expect(report.errors.map((e: { error: string }) => e.error)).toEqual(HOSTILE_CORPUS);
    expect(report.expiredExceptions.map((e: { reason: string }) => e.reason)).toEqual(HOSTILE_EXCEPTIONS.map((e) => e.reason));
  });

  it('prints inert: every control and format character is a \\u escape', () => expectInertForTerminal(raw));
});
