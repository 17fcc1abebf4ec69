// HTML escaping for the HTML report: every value from a finding, an account, an exception or an
// error passes through here before it reaches the page, in text and in attributes alike. It is
// made inert first (functions/core/text.ts): a bidi override would reorder what the page shows.
import { inertText } from '../functions/core/text';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number | boolean | null | undefined): string {
  return inertText(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
