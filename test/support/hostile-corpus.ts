// The hostile corpus: text an attacker can put in an account name, a tag, an alias, an exception
// owner or reason, or an AWS error message, and a report input that carries it in every such
// field. The report and CLI tests push it through every format and assert that what comes out
// is inert: nothing a terminal acts on, no forged row, no formula, no live link, no markup.
import { runCoverage, type Coverage } from '../../functions/core/coverage';
import type { Drift } from '../../functions/core/drift';
import type { ReportInput } from '../../report';
import type { KeyEvents } from '../../functions/core/run-key-events';
import type { ErrorRecord, ExceptionRecord, Finding, RunRecord } from '../../functions/core/schemas';

/** The account id a forged row claims; no real row of the corpus input has it. */
export const FORGED_ACCOUNT = '999999999999';

export const HOSTILE_CORPUS: readonly string[] = [
  '\x1b[2J\x1b[Hscreen cleared',
  '\x1b]0;pwned\x07window title',
  '\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\',
  'bell\x07\x07',
  '\u009b2Jeight-bit CSI',
  'ok\r' + `${FORGED_ACCOUNT} overwritten`,
  `reason\n${FORGED_ACCOUNT}  us-east-1  forged-key  COMPLIANT`,
  `reason\r\n${FORGED_ACCOUNT}  crlf forged row`,
  `next\u0085${FORGED_ACCOUNT} NEL\u2028${FORGED_ACCOUNT} LS\u2029${FORGED_ACCOUNT} PS`,
  'tab\there\vvertical\fform feed',
  'invoice\u202Efdp.exe',
  'isolates \u2066LRI\u2069 \u2067RLI\u2069 \u2068FSI\u2069 \u202Aembed\u202C \u202Bembed\u202C \u202Doverride\u202C',
  'marks \u200E\u200F\u061C zero-width \u200B\u200C\u200D\u2060 bom \uFEFF',
  'tag characters \u{E0041}\u{E0042}',
  ' =1+2',
  '＝1+3',
  '+cmd|\' /C calc\'!A0',
  '-2+3',
  '@SUM(A1:A2)',
  '\t=1+4',
  '\r=1+5',
  '﹦1+6',
  '\u3000＠SUM(1)',
  '=HYPERLINK("http://evil.example","click")',
  '[x](javascript:alert(1))',
  '![pixel](https://evil.example/p.png)',
  '[ref]: https://evil.example',
  '<https://evil.example/auto>',
  'see https://evil.example/phish and www.evil.example',
  'mail alice@evil.example',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '&#x6A;avascript:alert(1) &lt;b&gt;',
  '| forged | cells |',
  '`code` *bold* _em_ ~~strike~~ # heading \\ backslash',
  '"quoted", comma; \'single\'',
];

const RUN_ID = 'run-hostile';
const at = '2025-06-01T11:00:00.000Z';
const accountId = (i: number) => `9000000000${String(i).padStart(2, '0')}`;

/** One NON_COMPLIANT key per corpus entry, in an account of its own: the entry is its key id, alias, reason and exception. */
export const HOSTILE_FINDINGS: Finding[] = HOSTILE_CORPUS.map((text, i) => ({
  runId: RUN_ID,
  accountId: accountId(i),
  region: 'us-east-1',
  keyId: text,
  keyArn: `arn:aws:kms:us-east-1:${accountId(i)}:key/${text}`,
  status: 'NON_COMPLIANT',
  reason: text,
  rotationEnabledBefore: false,
  aliases: [text],
  exception: { owner: text, reason: text, expiresAt: '2025-05-01' },
  scannedAt: at,
  keyManager: 'CUSTOMER',
}));

export const HOSTILE_EXCEPTIONS: ExceptionRecord[] = HOSTILE_CORPUS.map((text) => ({
  target: text,
  owner: text,
  reason: text,
  expiresAt: '2099-01-01',
  createdAt: at,
}));

export const HOSTILE_ERRORS: ErrorRecord[] = HOSTILE_CORPUS.map((text, i) => ({
  runId: RUN_ID,
  accountId: accountId(i),
  region: 'us-east-1',
  phase: 'scan',
  error: text,
  at,
}));

export const HOSTILE_RUN: RunRecord = {
  runId: RUN_ID,
  mode: 'remediate',
  status: 'HALTED',
  startedAt: at,
  finishedAt: at,
  input: { mode: 'remediate' },
  accountCount: HOSTILE_CORPUS.length,
  waveCount: 1,
  waves: [{ wave: 1, keys: HOSTILE_CORPUS.length, remediated: 0, failed: HOSTILE_CORPUS.length, failureRate: 1, halted: true }],
  summary: { NON_COMPLIANT: HOSTILE_CORPUS.length },
  errorCount: HOSTILE_CORPUS.length,
  haltReason: `run failed: ${HOSTILE_CORPUS.join(' ')}`,
  planNote: HOSTILE_CORPUS.join(' '),
  scope: 'org',
};

export const HOSTILE_DRIFT: Drift = {
  runId: RUN_ID,
  previousRunId: HOSTILE_CORPUS[1],
  newNonCompliant: HOSTILE_FINDINGS,
  regressed: HOSTILE_FINDINGS,
  resolved: HOSTILE_FINDINGS,
  expiredExceptions: HOSTILE_EXCEPTIONS,
};

/** One handled event per corpus entry: the entry is its key id, call, principal, event id and reason. */
export const HOSTILE_KEY_EVENTS: KeyEvents = {
  from: at,
  to: '2025-06-01T12:00:00.000Z',
  counts: { enforced: 0, recorded: HOSTILE_CORPUS.length, failed: 0 },
  events: HOSTILE_CORPUS.map((text, i) => ({
    eventId: text,
    eventName: text,
    eventTime: at,
    handledAt: at,
    principal: text,
    accountId: accountId(i),
    region: 'us-east-1',
    keyId: text,
    keyArn: `arn:aws:kms:us-east-1:${accountId(i)}:key/${text}`,
    outcome: 'recorded',
    status: 'NON_COMPLIANT',
    reason: text,
    sinceRun: true,
  })),
};

/** Coverage whose every reason is a corpus entry: each account's us-east-1 not scanned (its error), each excluded with a corpus entry as why. */
function hostileCoverage(): Coverage {
  const summaries = HOSTILE_CORPUS.map((_, i) => ({ accountId: accountId(i), regions: ['eu-west-1', 'us-east-1'], scannedRegions: ['eu-west-1'], scannedAt: at }));
  const coverage = runCoverage(HOSTILE_RUN, summaries, HOSTILE_ERRORS);
  return { ...coverage, accounts: { ...coverage.accounts, excluded: HOSTILE_CORPUS.map((why, i) => ({ accountId: accountId(i + HOSTILE_CORPUS.length), why })) } };
}

/** The corpus in every free-text field a report shows: account names, keys, aliases, reasons, exceptions, errors, the halt reason, drift, key events. */
export function hostileReportInput(): ReportInput {
  return {
    run: HOSTILE_RUN,
    findings: () => HOSTILE_FINDINGS,
    errors: HOSTILE_ERRORS,
    coverage: hostileCoverage(),
    exceptions: HOSTILE_EXCEPTIONS,
    accounts: Object.fromEntries(HOSTILE_CORPUS.map((text, i) => [accountId(i), { name: text }])),
    wavePlan: [{ wave: 1, keys: HOSTILE_CORPUS.length, accounts: HOSTILE_CORPUS.length }],
    drift: HOSTILE_DRIFT,
    keyEvents: HOSTILE_KEY_EVENTS,
    now: new Date('2025-06-01T12:00:00.000Z'),
  };
}

/** A character a terminal acts on or a reader cannot see: controls, format characters, line/paragraph separators. */
export const HIDDEN_CHARACTER = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/**
 * Text a terminal shows as it is: line breaks are the output's own (LF only), no other control or
 * invisible format character, and no line that a corpus entry forged.
 */
export function expectInertForTerminal(text: string): void {
  const hidden = [...text.replace(/\n/g, '')].filter((c) => HIDDEN_CHARACTER.test(c));
  expect(hidden.map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`)).toEqual([]);
  const forged = text.split('\n').filter((line) => line.trimStart().startsWith(FORGED_ACCOUNT));
  expect(forged).toEqual([]);
}
