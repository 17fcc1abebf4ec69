// Reads a file only when it is a regular file. A FIFO, socket or device given as a template would
// block the check until a writer comes, or never end; it is refused instead, without waiting.
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { fileIdentity } from './read-once';

/** Why a file could not be read, in words a CI log can show. */
export class UnreadableFile extends Error {
  override readonly name = 'UnreadableFile';
}

export interface FileText {
  text: string;
  /** The same for every path that reaches this file (links, `..`, two arguments). */
  identity: string;
}

export function describeFsError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException)?.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return `cannot be read: ${(error as Error).message}`;
  }
}

/** Why a path that is not a file or a folder is not read. */
export function notRegularFile(info: Stats): string {
  const kind = info.isFIFO()
    ? 'a named pipe (FIFO)'
    : info.isSocket()
      ? 'a socket'
      : info.isCharacterDevice() || info.isBlockDevice()
        ? 'a device'
        : 'not a file or folder';
  return `${kind}, not a regular file: only regular files are read`;
}

/**
 * The file's text. Opened non-blocking, so that a FIFO put where a file was (after the caller's
 * stat) does not wait for a writer; the open file is then checked, not the path, so nothing can
 * swap it in between. Throws UnreadableFile.
 */
export async function readRegularFile(path: string): Promise<FileText> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new UnreadableFile(describeFsError(error));
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UnreadableFile(notRegularFile(info));
    return { text: await handle.readFile('utf8'), identity: fileIdentity(info) };
  } catch (error) {
    throw error instanceof UnreadableFile ? error : new UnreadableFile(describeFsError(error));
  } finally {
    await handle.close();
  }
}
