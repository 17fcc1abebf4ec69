// Where output and the embedded store go, checked before any work: `--out` must name a writable
// file, `--data-dir` a folder; reading a folder with no store creates nothing, writing creates it.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStoreLocation, checkWritable, openStore } from '../../cli/context';
import { UsageError } from '../../cli/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotor-where-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// Permission bits do not stop root, so the unwritable cases run only as another user.
const asNonRoot = process.getuid?.() === 0 ? it.skip : it;

describe('--out', () => {
  it('takes a new file in an existing folder, an existing file, /dev/null, or nothing (stdout)', async () => {
    writeFileSync(join(dir, 'old.json'), '{}');
    for (const out of [undefined, join(dir, 'new.json'), join(dir, 'old.json'), '/dev/null']) await expect(checkWritable(out)).resolves.toBeUndefined();
    expect(readdirSync(dir)).toEqual(['old.json']);
  });

  it.each<[string, (dir: string) => string, RegExp]>([
    ['an existing folder', (d) => d, /^--out .*: cannot write there \(it is a folder; give a file name\)$/],
    ['a name ending in a slash', (d) => `${join(d, 'reports')}/`, /cannot write there \(it names a folder/],
    ['a missing folder', (d) => join(d, 'missing', 'report.json'), /cannot write there \(folder .*missing is missing\)/],
    ['a path through a file', (d) => join(d, 'file', 'report.json'), /cannot write there \(.*is a file, not a folder\)/],
    ['a path two levels through a file', (d) => join(d, 'file', 'sub', 'report.json'), /cannot write there \(.*file is a file, not a folder\)/],
    ['an empty name', () => '', /^--out: is empty/],
  ])('refuses %s', async (_, path, message) => {
    writeFileSync(join(dir, 'file'), 'x');
    const refused = checkWritable(path(dir));
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(message);
  });

  asNonRoot('refuses a folder or a file it may not write', async () => {
    mkdirSync(join(dir, 'ro'));
    writeFileSync(join(dir, 'ro.json'), '{}');
    chmodSync(join(dir, 'ro'), 0o555);
    chmodSync(join(dir, 'ro.json'), 0o444);
    await expect(checkWritable(join(dir, 'ro', 'report.json'))).rejects.toThrow(/folder .* is not writable/);
    await expect(checkWritable(join(dir, 'ro.json'))).rejects.toThrow(/the file is not writable/);
    chmodSync(join(dir, 'ro'), 0o755);
  });
});

describe('--data-dir', () => {
  it.each<[string, (dir: string) => string, RegExp]>([
    ['a file', (d) => join(d, 'file'), /^--data-dir .*file: is a file, not a folder$/],
    ['a folder whose db is a file', (d) => join(d, 'has-db-file'), /db is a file, not the store's folder/],
    ['a path through a file', (d) => join(d, 'file', 'store'), /file is a file, not a folder/],
  ])('refuses %s, for reading and for writing', async (_, path, message) => {
    writeFileSync(join(dir, 'file'), 'x');
    mkdirSync(join(dir, 'has-db-file'));
    writeFileSync(join(dir, 'has-db-file', 'db'), 'x');
    for (const access of ['read', 'write'] as const) await expect(checkStoreLocation({ dataDir: path(dir) }, access)).rejects.toThrow(message);
  });

  it('a missing folder is fine for writing (the store is created later), and nothing is created now', async () => {
    await expect(checkStoreLocation({ dataDir: join(dir, 'new', '.rotor') }, 'write')).resolves.toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  asNonRoot('refuses a store it could not create', async () => {
    mkdirSync(join(dir, 'ro'));
    chmodSync(join(dir, 'ro'), 0o555);
    await expect(checkStoreLocation({ dataDir: join(dir, 'ro', '.rotor') }, 'write')).rejects.toThrow(/cannot write there \(folder .*ro is not writable\)/);
    chmodSync(join(dir, 'ro'), 0o755);
  });

  it('--table is not a folder to check', async () => {
    await expect(checkStoreLocation({ table: 'results', dataDir: join(dir, 'file') }, 'read')).resolves.toBe(true);
  });
});

describe('opening a folder with no store', () => {
  it('for writing creates the store there, and a later read finds what was written', async () => {
    const dataDir = join(dir, 'first-run');
    const exception = { target: '111111111111', owner: 'o', reason: 'r', expiresAt: '2099-01-01', createdAt: '2026-01-01T00:00:00.000Z' };
    const writer = await openStore({ dataDir }, 'write');
    try {
      expect(await writer.store.addException(exception)).toBe('created');
    } finally {
      await writer.close();
    }
    expect(existsSync(join(dataDir, 'db'))).toBe(true);
    const reader = await openStore({ dataDir }, 'read');
    try {
      expect(await reader.store.exceptions()).toEqual([expect.objectContaining({ target: '111111111111' })]);
    } finally {
      await reader.close();
    }
  });

  it('for reading reads as an empty store and creates nothing', async () => {
    const dataDir = join(dir, 'never-ran');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const opened = await openStore({ dataDir }, 'read');
      try {
        expect(await opened.store.latestRun()).toBeUndefined();
        expect(await opened.store.exceptions()).toEqual([]);
      } finally {
        await opened.close();
      }
      expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/no results store in .*never-ran yet/));
    } finally {
      stderr.mockRestore();
    }
    expect(existsSync(dataDir)).toBe(false);
  });
});
