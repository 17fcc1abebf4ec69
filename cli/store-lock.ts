// One writer per embedded store, and no surprises from its folder. The store (dynalite on LevelDB)
// can be open in one process only, so every command that opens it takes `<data-dir>/rotor.lock`
// first: a file created exclusively, naming the run (if any), the command and the pid that hold
// it. A second command is refused at once (exit 2) with who holds the store, before any AWS call.
// A lock whose process is gone (killed, the machine restarted) is taken over. Before the store is
// opened, its folder is checked: LevelDB's CURRENT missing where there is data, or a corrupt or
// locked database, is a clear error (exit 2) with how to recover, never a crash or an empty store.
import { closeSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './errors';

export const LOCK_FILE = 'rotor.lock';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  runId?: string;
  since: string;
}

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the holder still holds it: its process is alive here, or it is on another host (which we cannot check). */
function holds(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  return holder.pid !== process.pid && pidAlive(holder.pid);
}

function who(holder: LockHolder): string {
  const on = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return holder.runId ? `run ${holder.runId} (pid ${holder.pid}${on})` : `\`rotor ${holder.command}\` (pid ${holder.pid}${on})`;
}

function busy(dataDir: string, holder: LockHolder, access: 'read' | 'write'): UsageError {
  const other = holder.host === hostname() ? '' : `; if that process is gone, delete ${join(dataDir, LOCK_FILE)}`;
  const when = access === 'read' ? (holder.runId ? 'reports can be read when it ends' : 'try again when it ends') : holder.runId ? `wait for it to end, or stop it (kill -INT ${holder.pid})` : 'try again when it ends';
  return new UsageError(`the embedded store in ${dataDir} is in use by ${who(holder)} since ${holder.since}: ${when}${other}`);
}

/**
 * Takes the store's lock for this process (exit 2 if another live process holds it); returns the
 * release. Creating the file with O_EXCL makes two commands starting at once agree on one winner.
 */
export function lockStore(dataDir: string, command: string, access: 'read' | 'write', runId?: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), command, runId, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      return () => {
        // Only our own lock: never one another process took over.
        if (readHolder(file)?.pid === me.pid) unlinkSync(file);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`cannot lock the embedded store in ${dataDir}: ${(error as Error).message}`);
    }
    const holder = readHolder(file);
    // A holder being written right now reads as nothing: look again.
    if (holder && holds(holder)) throw busy(dataDir, holder, access);
    if (!holder && attempt === 0) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      const again = readHolder(file);
      if (again && holds(again)) throw busy(dataDir, again, access);
    }
    // Stale: its process is gone. Take it over.
    try {
      unlinkSync(file);
    } catch {
      // Another command took it over first: the next attempt sees who.
    }
  }
  throw new UsageError(`cannot lock the embedded store in ${dataDir}: another rotor command keeps taking it; try again`);
}

/** Files LevelDB keeps that mean the folder holds a database (LOCK and LOG alone do not). */
const DATA_FILE = /^(MANIFEST-\d+|\d+\.(ldb|sst|log))$/;

/**
 * Checks the store's LevelDB folder before dynalite opens it: a folder with data but no CURRENT
 * would silently open empty (and lose its exceptions), so it is refused with the way back.
 */
export function checkStoreFolder(db: string): void {
  let names: string[];
  try {
    names = readdirSync(db);
  } catch {
    return;
  }
  const data = names.filter((n) => DATA_FILE.test(n));
  if (data.length === 0 || names.includes('CURRENT')) return;
  const manifests = data.filter((n) => n.startsWith('MANIFEST-')).sort();
  const fix =
    manifests.length > 0
      ? `if the store was not copied half-way, \`echo ${manifests[manifests.length - 1]} > ${join(db, 'CURRENT')}\` restores it; else restore ${db} from a backup`
      : `restore ${db} from a backup, or move it away to start an empty store`;
  throw new UsageError(`the embedded store in ${db} is damaged: its CURRENT file is missing but it holds data (${data.length} files); nothing was opened, so nothing was lost: ${fix}`);
}

/**
 * Opens the LevelDB once and closes it, so that a corrupt or locked database is a clear error here
 * instead of an uncaught throw inside dynalite. `level` is dynalite's own (resolved from it).
 */
export async function probeStore(db: string, holderOf: () => LockHolder | undefined): Promise<void> {
  const { Level } = createRequire(require.resolve('dynalite'))('level') as { Level: new (path: string, options: object) => { open(): Promise<void>; close(): Promise<void> } };
  const level = new Level(db, { valueEncoding: 'json' });
  try {
    await level.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? (error as { code?: string }).code;
    const detail = cause?.message ?? (error as Error).message;
    if (code === 'LEVEL_LOCKED') {
      const holder = holderOf();
      throw new UsageError(`the embedded store in ${db} is in use by ${holder ? who(holder) : 'another process'}: try again when it ends`);
    }
    if (code === 'LEVEL_CORRUPTION') {
      throw new UsageError(`the embedded store in ${db} is damaged (LevelDB reports corruption: ${detail}): restore ${db} from a backup, or move it away to start an empty store; nothing was changed`);
    }
    throw new UsageError(`the embedded store in ${db} cannot be opened (${code ?? 'error'}: ${detail}): restore it from a backup, or move it away to start an empty store`);
  } finally {
    await level.close().catch(() => undefined);
  }
}

export function lockHolderOf(dataDir: string): LockHolder | undefined {
  return readHolder(join(dataDir, LOCK_FILE));
}
