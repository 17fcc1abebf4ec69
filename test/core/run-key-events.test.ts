// The key events' part of a text notice (Finalize's drift message): a line per event within a
// count and a byte budget, then how many more; nothing without events; inert whatever the
// principals and ids hold.
import type { EventRecord } from '../../functions/core/key-event';
import { keyEventNotice, keyEventsOf } from '../../functions/core/run-key-events';
import { DRIFT_NOTICE_EVENTS, SNS_MESSAGE_BYTES } from '../../functions/aws/notifications';
import { expectInertForTerminal, HOSTILE_CORPUS, HOSTILE_KEY_EVENTS } from '../support/hostile-corpus';

const RUN = { startedAt: '2026-12-02T10:00:00.000Z' };
const WINDOW = { from: RUN.startedAt, to: '2026-12-02T11:00:00.000Z' };
const ACCOUNT = '111122223333';

const records = (count: number, principal = `arn:aws:iam::${ACCOUNT}:role/alice`): EventRecord[] =>
  Array.from({ length: count }, (_, i) => {
    const handledAt = new Date(Date.parse(RUN.startedAt) + (i + 1) * 1000).toISOString();
    const keyId = `k-${i}`;
    return { eventId: `ev-${i}`, eventName: 'CreateKey', eventTime: handledAt, principal, accountId: ACCOUNT, region: 'us-east-1', keyId, keyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`, outcome: 'failed', reason: 'throttled', handledAt };
  });
/** What the lines take in a message: each with its line break. */
const bytesOf = (lines: string[]) => lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8') + 1, 0);

test('no events: no lines', () => {
  expect(keyEventNotice(keyEventsOf([], WINDOW, RUN), DRIFT_NOTICE_EVENTS, SNS_MESSAGE_BYTES)).toEqual([]);
});

test('at most maxEvents lines, oldest first, then how many more', () => {
  const lines = keyEventNotice(keyEventsOf(records(DRIFT_NOTICE_EVENTS + 10), WINDOW, RUN), DRIFT_NOTICE_EVENTS, SNS_MESSAGE_BYTES);
  expect(lines).toHaveLength(1 + DRIFT_NOTICE_EVENTS + 1);
  expect(lines[0]).toMatch(/: 60 event\(s\) handled from .*: 0 enforced, 0 recorded, 60 failed\.$/);
  expect(lines[1]).toMatch(/ CreateKey ev-0 by .*: failed, key arn:aws:kms:us-east-1:111122223333:key\/k-0 \(account 111122223333, Region us-east-1\)$/);
  expect(lines[DRIFT_NOTICE_EVENTS]).toContain(` ev-${DRIFT_NOTICE_EVENTS - 1} `);
  expect(lines.at(-1)).toBe('and 10 more (rotor drift lists every one)');
});

test('within maxBytes: lines of 60 KB principals stop before the budget, the "more" line included', () => {
  const budget = SNS_MESSAGE_BYTES - 200;
  const lines = keyEventNotice(keyEventsOf(records(10, `arn:aws:iam::${ACCOUNT}:role/${'p'.repeat(60_000)}`), WINDOW, RUN), DRIFT_NOTICE_EVENTS, budget);
  expect(bytesOf(lines)).toBeLessThanOrEqual(budget);
  // Four lines of about 60 KB fit in 256 KiB, a fifth does not.
  expect(lines.slice(1, -1).map((line) => line.split(' ')[2])).toEqual(['ev-0', 'ev-1', 'ev-2', 'ev-3']);
  expect(lines.at(-1)).toBe('and 6 more (rotor drift lists every one)');
});

test('the hostile corpus comes out inert, one line per event', () => {
  const lines = keyEventNotice(HOSTILE_KEY_EVENTS, HOSTILE_CORPUS.length, SNS_MESSAGE_BYTES);
  expect(lines).toHaveLength(1 + HOSTILE_CORPUS.length);
  expectInertForTerminal(lines.join('\n'));
});
