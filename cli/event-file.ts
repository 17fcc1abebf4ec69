// Reads the events `rotor enforce --events FILE` takes: a JSON array of EventBridge events, or JSON
// lines (one event a line, blank lines skipped); `-` is stdin. Text that is not JSON is a UsageError
// naming its line (exit 2, nothing enforced).
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The line (1-based) of a character offset in `text`. */
function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** Parses the file's text: a JSON array, or JSON lines. */
export function parseEventText(text: string, flag = '--events'): unknown[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!Array.isArray(parsed)) throw new UsageError(`${flag}: line 1: a JSON array of events must be the whole file`);
      return parsed;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const position = /position (\d+)/.exec((error as Error).message);
      const line = position ? lineAt(text, Number(position[1])) : /line (\d+)/.exec((error as Error).message)?.[1] ?? '?';
      throw new UsageError(`${flag}: line ${line}: not valid JSON (${(error as Error).message})`);
    }
  }
  const events: unknown[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      events.push(JSON.parse(line));
    } catch (error) {
      throw new UsageError(`${flag}: line ${index + 1}: not a JSON event (${(error as Error).message})`);
    }
  });
  return events;
}

/** The events of FILE (`-`: stdin). */
export async function readEventFile(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--events: cannot read ${file}: ${(error as Error).message}`);
  }
  return parseEventText(text);
}
