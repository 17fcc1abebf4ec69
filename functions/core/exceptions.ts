// Exceptions with owner and expiry: which one covers a key, which are active or expired. Pure.
import type { ExceptionRecord } from './schemas';

const DAY_MS = 86_400_000;

/** An exception holds through the end of its expiry day (UTC). */
export function expiresAtMs(exception: Pick<ExceptionRecord, 'expiresAt'>): number {
  const start = Date.parse(`${exception.expiresAt}T00:00:00.000Z`);
  if (Number.isNaN(start)) throw new Error(`exception expiresAt is not a date: ${exception.expiresAt}`);
  return start + DAY_MS;
}

export function isActive(exception: Pick<ExceptionRecord, 'expiresAt'>, now: Date): boolean {
  return now.getTime() < expiresAtMs(exception);
}

/** Whole days left before the exception lapses (0 on its last day; negative once expired). */
export function daysLeft(exception: Pick<ExceptionRecord, 'expiresAt'>, now: Date): number {
  return Math.ceil((expiresAtMs(exception) - now.getTime()) / DAY_MS) - 1;
}

/** The active exception covering a key: one naming the key wins over one for its whole account. */
export function exceptionFor(
  keyArn: string,
  accountId: string,
  exceptions: readonly ExceptionRecord[],
  now: Date,
): ExceptionRecord | undefined {
  const active = exceptions.filter((e) => isActive(e, now));
  return active.find((e) => e.target === keyArn) ?? active.find((e) => e.target === accountId);
}

/** Exceptions that lapse within `days` days from now (still active today). */
export function expiringWithin(exceptions: readonly ExceptionRecord[], days: number, now: Date): ExceptionRecord[] {
  return exceptions.filter((e) => isActive(e, now) && daysLeft(e, now) <= days);
}
