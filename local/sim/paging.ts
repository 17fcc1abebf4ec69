// Opaque pagination tokens (KMS Marker, Organizations NextToken): an offset bound to the list it
// came from, so a token replayed against another list is rejected as AWS rejects it.
import { hashHex } from './ids';

export function encodePageToken(offset: number, scope: string): string {
  const body = `${offset}:${hashHex(scope).slice(0, 16)}`;
  return Buffer.from(body, 'utf8').toString('base64');
}

/** The offset in a token, or undefined when it is not a token of this list. */
export function decodePageToken(token: string, scope: string): number | undefined {
  const body = Buffer.from(token, 'base64').toString('utf8');
  const m = /^(\d+):([0-9a-f]{16})$/.exec(body);
  if (!m || m[2] !== hashHex(scope).slice(0, 16)) return undefined;
  return Number(m[1]);
}
