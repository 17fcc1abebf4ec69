// The line of each resource's logical id in a JSON template, found in one pass over the text:
// JSON.parse keeps no positions, and searching the text once per resource is quadratic.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** The index of the quote that ends the string starting at `start`. */
function endOfString(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return source.length;
}

/**
 * 1-based lines of the keys of the top-level `Resources` object, by logical id. `source` must be
 * JSON that JSON.parse accepted: no newline can then sit inside a string, so counting newlines
 * between tokens is exact. A repeated key takes its last place, as JSON.parse takes its last value.
 */
export function jsonResourceLines(source: string): Map<string, number> {
  const lines = new Map<string, number>();
  // The open containers, innermost last: true for an object. An array, not recursion: deep nesting
  // must not reach the stack limit.
  const objects: boolean[] = [];
  let line = 1;
  let expectKey = false;
  let lastTopLevelKey: string | undefined;
  let resourcesDepth = -1;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === NEWLINE) line++;
    else if (c === QUOTE) {
      const end = endOfString(source, i);
      if (expectKey && objects.length === 1) lastTopLevelKey = JSON.parse(source.slice(i, end + 1)) as string;
      else if (expectKey && objects.length === resourcesDepth) lines.set(JSON.parse(source.slice(i, end + 1)) as string, line);
      expectKey = false;
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      objects.push(c === OPEN_OBJECT);
      expectKey = c === OPEN_OBJECT;
      if (c === OPEN_OBJECT && objects.length === 2 && lastTopLevelKey === 'Resources') {
        // A repeated Resources section replaces the earlier one, as in JSON.parse.
        lines.clear();
        resourcesDepth = 2;
      }
      lastTopLevelKey = undefined;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (objects.length === resourcesDepth) resourcesDepth = -1;
      objects.pop();
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = objects[objects.length - 1] === true;
      if (objects.length === 1) lastTopLevelKey = undefined;
    }
  }
  return lines;
}
