import { daysLeft, exceptionFor, expiringWithin, isActive } from '../../functions/core/exceptions';
import type { ExceptionRecord } from '../../functions/core/schemas';

const keyArn = 'arn:aws:kms:us-east-1:111111111111:key/abc';
const make = (target: string, expiresAt: string, owner = 'o'): ExceptionRecord => ({ target, owner, reason: 'r', expiresAt, createdAt: '2026-01-01' });
const now = new Date('2026-06-15T12:00:00Z');

describe('exceptions', () => {
  it('hold through the end of their expiry day', () => {
    expect(isActive(make(keyArn, '2026-06-15'), now)).toBe(true);
    expect(isActive(make(keyArn, '2026-06-14'), now)).toBe(false);
    expect(daysLeft(make(keyArn, '2026-06-15'), now)).toBe(0);
    expect(daysLeft(make(keyArn, '2026-06-25'), now)).toBe(10);
  });

  it('a key exception wins over an account exception; expired ones count for nothing', () => {
    const account = make('111111111111', '2026-12-31', 'account-owner');
    const key = make(keyArn, '2026-12-31', 'key-owner');
    expect(exceptionFor(keyArn, '111111111111', [account, key], now)?.owner).toBe('key-owner');
    expect(exceptionFor(keyArn, '111111111111', [account], now)?.owner).toBe('account-owner');
    expect(exceptionFor(keyArn, '111111111111', [make(keyArn, '2026-01-01')], now)).toBeUndefined();
    expect(exceptionFor(keyArn, '222222222222', [account], now)).toBeUndefined();
  });

  it('lists those expiring within N days', () => {
    const soon = make(keyArn, '2026-06-20');
    const later = make('111111111111', '2026-09-01');
    expect(expiringWithin([soon, later, make(keyArn, '2026-01-01')], 30, now)).toEqual([soon]);
  });
});
