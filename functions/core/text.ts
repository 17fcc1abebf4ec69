// Text that came from AWS or from a person (account names, tags, aliases, key ids, exception
// owners and reasons, error messages) made inert before a reader sees it. A terminal acts on
// control characters (ESC sequences clear the screen or set the window title, CR overwrites a
// line, a line break forges a row), and invisible format characters (bidi overrides and
// isolates, direction marks, zero-width and tag characters) make text read otherwise than it
// is. Every human-facing format starts from `inertText`; each then adds its own escaping.

/**
 * C0 and C1 controls and DEL (\p{Cc}), format characters (\p{Cf}: U+200B–U+200F, U+202A–U+202E,
 * U+2060–U+2069, U+FEFF, tag characters…) and the Unicode line and paragraph separators.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
/** A run of line breaks and tabs, as one: a cell flattened to one line keeps a single space. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
/** Line breaks of every kind, kept as LF: a lone CR would let a terminal overwrite the line. */
const LINE_BREAK = /\r\n?|[\v\f\u0085\u2028\u2029]/g;

/** `\x1B`, `\u202E`, `\u{E0041}`: the character's code point, visible, so the reader sees it was there. */
function visibleEscape(char: string): string {
  const code = char.codePointAt(0)!;
  const hex = code.toString(16).toUpperCase();
  if (code <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\u{${hex}}`;
}

export interface InertTextOptions {
  /**
   * 'flatten' (the default): line breaks and tabs become one space, for a table cell or a line.
   * 'keep': line breaks stay as LF and tabs stay, for a quoted CSV cell.
   */
  lineBreaks?: 'flatten' | 'keep';
}

/** The text with no control or invisible format character left: each is written as a visible escape. */
export function inertText(value: string | number | boolean | null | undefined, options: InertTextOptions = {}): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  if (options.lineBreaks !== 'keep') return text.replace(BREAKS, ' ').replace(HIDDEN, visibleEscape);
  return text.replace(LINE_BREAK, '\n').replace(HIDDEN, (char) => (char === '\n' || char === '\t' ? char : visibleEscape(char)));
}

/**
 * What JSON.stringify leaves raw inside strings that a terminal acts on or hides: DEL, C1
 * controls, format characters and U+2028/U+2029 (it escapes C0 itself, so a raw C0 character
 * in its output is the indentation's own whitespace).
 */
const RAW_IN_JSON = /[\u007F-\u009F\p{Cf}\u2028\u2029]/gu;

/** JSON as JSON.stringify writes it, with those characters as \u escapes too: it parses back unchanged, and printing it is inert. */
export function inertJson(value: unknown, indent?: number): string {
  const unit = (u: string) => `\\u${u.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return JSON.stringify(value, null, indent).replace(RAW_IN_JSON, (char) => char.split('').map(unit).join(''));
}
