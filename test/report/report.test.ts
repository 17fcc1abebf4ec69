// What all formats share: format names, console links, exception expiry, compliance %, and
// streaming (rows reach the sink while findings are still arriving; one pass per format).
import {
  REPORT_FORMATS,
  compliancePercent,
  consoleUrl,
  exceptionStatus,
  parseReportFormat,
  writeReport,
} from '../../report';
import type { ReportFormat } from '../../report';
import type { Finding } from '../../functions/core/schemas';
import { FINDINGS, fixtureInput } from './fixture';

describe('parseReportFormat', () => {
  it('accepts every format, case-insensitively, and "markdown"', () => {
    for (const f of REPORT_FORMATS) expect(parseReportFormat(f.toUpperCase())).toBe(f);
    expect(parseReportFormat('markdown')).toBe('md');
  });
  it('rejects an unknown format naming the valid ones', () => {
    expect(() => parseReportFormat('pdf')).toThrow('unknown report format "pdf": use one of table, json, csv, md, html');
  });
});

describe('consoleUrl', () => {
  it('links customer keys, AWS-managed keys and other partitions', () => {
    expect(consoleUrl({ region: 'eu-west-1', keyId: 'abc', keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/abc' })).toBe(
      'https://eu-west-1.console.aws.amazon.com/kms/home?region=eu-west-1#/kms/keys/abc',
    );
    expect(consoleUrl({ region: 'us-east-1', keyId: 'abc', keyArn: 'arn:aws:kms:us-east-1:111111111111:key/abc', keyManager: 'AWS' })).toBe(
      'https://us-east-1.console.aws.amazon.com/kms/home?region=us-east-1#/kms/defaultKeys/abc',
    );
    expect(consoleUrl({ region: 'us-gov-west-1', keyId: 'abc', keyArn: 'arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/abc' })).toBe(
      'https://console.amazonaws-us-gov.com/kms/home?region=us-gov-west-1#/kms/keys/abc',
    );
    expect(consoleUrl({ region: 'us-east-1', keyId: 'a"b<c', keyArn: 'arn:aws:kms:us-east-1:1:key/x' })).toContain('#/kms/keys/a%22b%3Cc');
  });
});

describe('exceptionStatus', () => {
  const now = new Date('2025-06-01T23:59:00Z');
  it.each([
    ['2025-05-31', 'expired', 'expired 1 day ago'],
    ['2025-06-01', 'expiring', 'expires today'],
    ['2025-06-02', 'expiring', 'expires tomorrow'],
    ['2025-07-01', 'expiring', 'expires in 30 days'],
    ['2025-07-02', 'active', 'active'],
  ])('%s is %s', (expiresAt, state, label) => {
    expect(exceptionStatus({ expiresAt }, now)).toMatchObject({ state, label });
  });
});

describe('compliancePercent', () => {
  it('counts rotation-on keys over covered, not-excepted keys', () => {
    expect(compliancePercent({ COMPLIANT: 3, REMEDIATED: 1, NON_COMPLIANT: 1, REMEDIATION_FAILED: 3, EXEMPT: 5, NOT_APPLICABLE: 9 })).toBe(50);
    expect(compliancePercent({ NOT_APPLICABLE: 4, EXEMPT: 1 })).toBeNull();
    expect(compliancePercent({})).toBeNull();
  });
});

describe('streaming', () => {
  const COUNT = 3000;
  function many(): Finding[] {
    return Array.from({ length: COUNT }, (_, i) => ({
      ...FINDINGS[i % FINDINGS.length],
      accountId: String(100000000000 + Math.floor(i / 100)),
      keyId: `key-${i}`,
      keyArn: `arn:aws:kms:us-east-1:${100000000000 + Math.floor(i / 100)}:key/key-${i}`,
    }));
  }

  it.each(REPORT_FORMATS.filter((f) => f !== 'table'))('%s writes to the sink before the last finding of its last pass is read', async (format) => {
    const findings = many();
    let written = 0;
    let writtenBeforeEnd = -1;
    let passes = 0;
    const source = () => {
      passes += 1;
      return (async function* () {
        for (const f of findings) yield f;
        // At the end of each pass; the last pass's is the one checked (html reads twice).
        writtenBeforeEnd = written;
      })();
    };
    await writeReport(format as ReportFormat, fixtureInput({ findings: source }), { write: (chunk) => void (written += chunk.length) });
    expect(writtenBeforeEnd).toBeGreaterThan(64 * 1024);
    expect(passes).toBe(format === 'html' ? 2 : 1);
  });

  it('waits for a slow sink (backpressure)', async () => {
    const order: string[] = [];
    const sink = {
      write: async (chunk: string) => {
        order.push(`start ${chunk.length}`);
        await new Promise((r) => setTimeout(r, 1));
        order.push('end');
      },
    };
    await writeReport('csv', fixtureInput({ findings: () => many() }), sink);
    for (let i = 0; i < order.length; i += 2) {
      expect(order[i]).toMatch(/^start/);
      expect(order[i + 1]).toBe('end');
    }
    expect(order.length).toBeGreaterThan(2);
  });
});
