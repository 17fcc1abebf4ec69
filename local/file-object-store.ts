// The embedded store's object store: one file per object under a folder (.rotor/…/objects), so
// that each account's scan of a run outlives the command that wrote it, as S3 objects do.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ObjectStore } from '../functions/store/object-store';

export class FileObjectStore implements ObjectStore {
  readonly requests = { put: 0, get: 0 };
  private readonly root: string;
  private writes = 0;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`object key ${JSON.stringify(key)} leaves the object folder`);
    return path;
  }

  async put(key: string, body: string): Promise<void> {
    this.requests.put++;
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: a reader (or a killed writer) never sees half an object.
    const temp = `${path}.${process.pid}.${++this.writes}.tmp`;
    await writeFile(temp, body);
    await rename(temp, path);
  }

  async get(key: string): Promise<string | undefined> {
    this.requests.get++;
    try {
      return await readFile(this.pathOf(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
