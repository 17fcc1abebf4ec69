// The CSV report parsed back with an RFC 4180 reader: one row per key, the right columns,
// quoting that survives commas, quotes and line breaks, and formulas neutralised.
import { CSV_COLUMNS, csvCell, renderReport } from '../../report';
import { parseCsv } from './csv-reader';
import { FINDINGS, FORMULA_REASON, MULTILINE_REASON, consoleUrlOf, fixtureInput } from './fixture';

describe('CSV report', () => {
  it('has the header and exactly one row per key, each with every column', async () => {
    const rows = parseCsv(await renderReport('csv', fixtureInput()));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    // The keys, then the three scopes not covered (functions/core/coverage.ts).
    expect(rows).toHaveLength(FINDINGS.length + 1 + 3);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    const records = rows.slice(1, FINDINGS.length + 1).map((r) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]])));
    expect(records.map((r) => r.keyArn)).toEqual(FINDINGS.map((f) => f.keyArn));
    records.forEach((r, i) => {
      expect(r.status).toBe(FINDINGS[i].status);
      expect(r.consoleUrl).toBe(consoleUrlOf(FINDINGS[i]));
    });
    expect(records[0]).toMatchObject({ accountId: '111111111111', accountName: 'prod-core', region: 'eu-west-1', rotationEnabledBefore: 'true', rotationPeriodInDays: '365', nextRotationDate: '2026-03-01T00:00:00.000Z', aliases: 'alias/app' });
    // Tags as JSON: keys and values holding = ; or a formula's first character read back unchanged; empty where none were read.
    expect(JSON.parse(records[0].tags)).toEqual({ team: 'a=b;c', cost: '=1+2' });
    expect(records[1].tags).toBe('');
    expect(records[1]).toMatchObject({ rotationEnabledBefore: 'false', rotationEnabledAfter: 'true', wave: '1' });
    expect(records[5]).toMatchObject({ accountName: 'dev & <sandbox>', exceptionOwner: 'team-data', exceptionExpiresAt: '2025-06-15', rotationEnabledAfter: '' });
    expect(records[3].consoleUrl).toContain('#/kms/defaultKeys/');
  });

  it('keeps commas, quotes and line breaks intact and prefixes formulas with a quote', async () => {
    const rows = parseCsv(await renderReport('csv', fixtureInput()));
    const reason = (keyIndex: number) => rows[keyIndex + 1][CSV_COLUMNS.indexOf('reason')];
    expect(reason(6)).toBe(MULTILINE_REASON);
    expect(reason(4)).toBe(`'${FORMULA_REASON}`);
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('guards every formula lead character, quoting the guarded cell, and quotes others only where needed', () => {
    expect(csvCell('=1+2')).toBe(`"'=1+2"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('-1')).toBe(`"'-1"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tx')).toBe(`"'\tx"`);
    expect(csvCell(' =1+2')).toBe(`"' =1+2"`);
    expect(csvCell('＝1+3')).toBe(`"'＝1+3"`);
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(365)).toBe('365');
  });
});
