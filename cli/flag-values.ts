// Strict parsing of flag values (numbers, key ARNs), and how a bad value is quoted in a message:
// a number is what it looks like in decimal, or it is refused (exit 2) naming its flag.
import { KEY_ARN, MAX_KEY_ARN_LENGTH } from '../functions/core/schemas';
import { UsageError } from './errors';

/** Decimal digits only, optionally negative: no `0x10`, `0b11`, `1e3`, `5.`, spaces or `Infinity`. */
const INTEGER = /^-?\d+$/;
/** A plain decimal such as `0.05`, `.5` or `1`: no exponent, no trailing dot. */
const DECIMAL = /^-?(\d+(\.\d+)?|\.\d+)$/;
/** How much of a value a message repeats: enough to recognise it, never a screenful. */
const QUOTED_MAX = 60;

/** A value as a message shows it: JSON-quoted (so controls and spaces are visible), and shortened. */
export function quoted(value: string): string {
  const shown = value.length > QUOTED_MAX ? `${value.slice(0, QUOTED_MAX)}…` : value;
  return JSON.stringify(shown);
}

/** A whole number in decimal digits; range checks are the schema's (or the caller's `min`). */
export function integerFlag(flag: string, value: string, min?: number): number {
  const n = Number(value);
  if (!INTEGER.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${flag}: ${quoted(value)} is not a whole number`);
  if (min !== undefined && n < min) throw new UsageError(`${flag}: must be at least ${min}`);
  return n;
}

/** A plain decimal number (no exponent or hex); range checks are the schema's. */
export function decimalFlag(flag: string, value: string): number {
  if (!DECIMAL.test(value)) throw new UsageError(`${flag}: ${quoted(value)} is not a decimal number`);
  return Number(value);
}

/** A KMS key ARN as typed for `name` (a flag or an argument), bounded like the store's keys. */
export function keyArnFlag(name: string, value: string): string {
  if (value.length > MAX_KEY_ARN_LENGTH) throw new UsageError(`${name}: is longer than a KMS key ARN can be (${MAX_KEY_ARN_LENGTH} characters)`);
  if (!KEY_ARN.test(value)) throw new UsageError(`${name}: ${quoted(value)} is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)`);
  return value;
}
