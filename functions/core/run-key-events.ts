// The key events of a run: what continuous enforcement did to keys between the previous run and
// the next one (up to now for the newest run), so a reader of run N sees the keys events enforced
// or recorded around its scan. Every report, `rotor drift`, and Finalize's evidence bundle and
// drift message show them. Pure: the window from the runs, the entries and counts from the store's
// event records, and their lines in a text notice.
import type { EventOutcome, EventRecord } from './key-event';
import type { RunRecord } from './schemas';
import type { OcsfKeyEvent } from './ocsf';
import { inertText } from './text';

/** The handling times an event section covers: at or after `from`, before `to`. */
export interface EventWindow {
  from: string;
  to: string;
}

/**
 * From the start of the previous run that covered the same keys (or of this run, when there is
 * none) to the start of the next run of the same scope (or now): the events around this run's scan.
 */
export function eventWindow(run: Pick<RunRecord, 'startedAt'>, previous: Pick<RunRecord, 'startedAt'> | undefined, next: Pick<RunRecord, 'startedAt'> | undefined, now: Date): EventWindow {
  return { from: previous?.startedAt ?? run.startedAt, to: next?.startedAt ?? now.toISOString() };
}

/** The outcomes an event record can have (duplicates and dropped events are logged, not stored). */
export const RECORDED_OUTCOMES = ['enforced', 'recorded', 'failed'] as const satisfies readonly EventOutcome[];

/** One handled event as the reports show it. */
export interface KeyEventEntry extends OcsfKeyEvent {
  outcome: EventOutcome;
  /** Handled after this run started, so this run's findings do not show it yet. */
  sinceRun: boolean;
}

export interface KeyEvents extends EventWindow {
  counts: Record<(typeof RECORDED_OUTCOMES)[number], number>;
  events: KeyEventEntry[];
}

/** The section of a run: the records of the window, oldest first, with counts per outcome. */
export function keyEventsOf(records: Iterable<EventRecord>, window: EventWindow, run: Pick<RunRecord, 'startedAt'>): KeyEvents {
  const counts = { enforced: 0, recorded: 0, failed: 0 };
  const events: KeyEventEntry[] = [];
  for (const r of records) {
    if (r.handledAt < window.from || r.handledAt >= window.to) continue;
    if (r.outcome === 'enforced' || r.outcome === 'recorded' || r.outcome === 'failed') counts[r.outcome]++;
    events.push({
      eventId: r.eventId,
      eventName: r.eventName,
      eventTime: r.eventTime,
      handledAt: r.handledAt,
      principal: r.principal,
      accountId: r.accountId,
      region: r.region,
      keyId: r.keyId,
      keyArn: r.keyArn,
      outcome: r.outcome,
      ...(r.finding && { status: r.finding.status }),
      ...((r.reason ?? r.finding?.reason) !== undefined && { reason: r.reason ?? r.finding?.reason }),
      ...(r.finding?.rotationPeriodInDays !== undefined && { rotationPeriodInDays: r.finding.rotationPeriodInDays }),
      sinceRun: r.handledAt >= run.startedAt,
    });
  }
  events.sort((a, b) => a.handledAt.localeCompare(b.handledAt) || a.eventId.localeCompare(b.eventId));
  return { ...window, counts, events };
}

/** What an entry says was done, in a few words: "enforced", "recorded NON_COMPLIANT", "failed". */
export function eventAction(e: Pick<KeyEventEntry, 'outcome' | 'status'>): string {
  return e.outcome === 'recorded' && e.status ? `recorded ${e.status}` : e.outcome;
}

/** The counts line every text format shows. */
export function keyEventsSummary(k: KeyEvents): string {
  return `${k.events.length} event(s) handled from ${k.from} to ${k.to}: ${k.counts.enforced} enforced, ${k.counts.recorded} recorded, ${k.counts.failed} failed`;
}

/** One line of a text notice per event: when it was handled, the call and its event id, who made it and when, what was done to which key. */
export function keyEventLine(e: KeyEventEntry): string {
  return `${e.handledAt} ${e.eventName} ${e.eventId} by ${e.principal} at ${e.eventTime}: ${eventAction(e)}, key ${e.keyArn} (account ${e.accountId}, Region ${e.region})`;
}

/**
 * The key events' part of a text notice (none when there are none): the counts line, then a line
 * per event, oldest first, as many as fit in `maxEvents` and `maxBytes` (UTF-8, a line break
 * after each line included), then how many more. Each line made inert: principals and ids come from CloudTrail.
 */
export function keyEventNotice(k: KeyEvents, maxEvents: number, maxBytes: number): string[] {
  if (k.events.length === 0) return [];
  const more = (n: number) => `and ${n} more (rotor drift lists every one)`;
  const lines = [inertText(`Key events (continuous enforcement): ${keyEventsSummary(k)}.`)];
  let bytes = Buffer.byteLength(lines[0], 'utf8') + 1;
  // Room for the "and N more" line whatever N is: its longest form.
  const reserve = Buffer.byteLength(more(k.events.length), 'utf8') + 1;
  let shown = 0;
  for (const e of k.events) {
    if (shown >= maxEvents) break;
    const line = inertText(keyEventLine(e));
    const size = Buffer.byteLength(line, 'utf8') + 1;
    const last = shown === k.events.length - 1;
    if (bytes + size + (last ? 0 : reserve) > maxBytes) break;
    lines.push(line);
    bytes += size;
    shown++;
  }
  if (shown < k.events.length) lines.push(more(k.events.length - shown));
  return lines;
}
