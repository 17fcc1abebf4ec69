// One writer per embedded store, and damaged stores refused: a second command on a store another
// live process holds is refused (exit 2) naming the run and pid, before any AWS call; a lock whose
// process is gone is taken over; a store missing CURRENT or corrupt is exit 2 with how to recover,
// and nothing in its folder changes; a malformed exception is listed as such and can be removed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCK_FILE } from '../../cli/store-lock';
import { EMBEDDED_TABLE, startEmbeddedStore } from '../../local/embedded-store';
import { rotor, useCliSuite } from '../support/rotor-cli';

const suite = useCliSuite('rotor-lock-');

/** A run that ended: 0 clean, 3 with findings (the standard organization has non-compliant keys). */
const FINISHED = [0, 3];

/** A store with one finished scan in it, made once and copied for each case. */
let seeded: string;

beforeAll(async () => {
  seeded = join(suite.dir, 'seeded');
  expect(FINISHED).toContain((await rotor('run', '--local', '--quiet', '--data-dir', seeded, '--run-id', 'seed-scan')).code);
});

let caseNo = 0;
/** A copy of the seeded store in its own folder. */
function storeCopy(): string {
  const dir = join(suite.dir, `case-${++caseNo}`);
  spawnSync('cp', ['-r', seeded, dir]);
  return dir;
}

/**
 * Every file under a folder with its content hash: what "nothing changed" compares. LevelDB's own
 * info log (LOG, rotated to LOG.old by an open attempt) holds no data and is left out.
 */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (name === 'LOG' || name === 'LOG.old') continue;
      if (statSync(path).isDirectory()) walk(path);
      else out[path.slice(dir.length)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function writeLock(dataDir: string, holder: { pid: number; host?: string; runId?: string; command?: string }): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ host: hostname(), command: 'run', since: '2026-01-01T00:00:00.000Z', ...holder }));
}

/** A process that lives until killed: a live pid that is not ours. */
function liveProcess(): { pid: number; stop(): void } {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

/** The pid of a process that has ended. */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

describe('a store held by another live process', () => {
  let holder: { pid: number; stop(): void };
  beforeAll(() => {
    holder = liveProcess();
  });
  afterAll(() => holder.stop());

  it('refuses a second run with exit 2 naming the run and its pid, before any AWS call', async () => {
    const dataDir = storeCopy();
    writeLock(dataDir, { pid: holder.pid, runId: 'holding-run' });
    const before = snapshot(dataDir);
    const calls = suite.sim.totalCalls();
    for (const mode of ['scan', 'remediate']) {
      const refused = await rotor('run', '--local', '--mode', mode, '--data-dir', dataDir);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`is in use by run holding-run (pid ${holder.pid})`);
      expect(refused.stderr).toContain(`kill -INT ${holder.pid}`);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    expect(suite.sim.totalCalls()).toBe(calls);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('refuses reads and exception changes too, saying reports can be read when the run ends', async () => {
    const dataDir = storeCopy();
    writeLock(dataDir, { pid: holder.pid, runId: 'holding-run' });
    const before = snapshot(dataDir);
    for (const args of [['runs'], ['status', 'seed-scan'], ['report', '--latest'], ['exceptions', 'list']]) {
      const refused = await rotor(...args, '--data-dir', dataDir);
      expect({ args, code: refused.code }).toEqual({ args, code: 2 });
      expect(refused.stderr).toMatch(/in use by run holding-run .*reports can be read when it ends/);
    }
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('names a command that holds it without a run, and a holder on another host with how to free a lock left behind', async () => {
    const dataDir = storeCopy();
    writeLock(dataDir, { pid: holder.pid, command: 'exceptions add' });
    expect((await rotor('runs', '--data-dir', dataDir)).stderr).toContain(`in use by \`rotor exceptions add\` (pid ${holder.pid})`);
    writeLock(dataDir, { pid: 1, host: 'build-agent-7', runId: 'far-run' });
    const far = await rotor('runs', '--data-dir', dataDir);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('run far-run (pid 1 on build-agent-7)');
    expect(far.stderr).toContain(`if that process is gone, delete ${join(dataDir, LOCK_FILE)}`);
  });
});

describe('a lock whose process is gone', () => {
  it('is taken over: the run goes ahead, and the lock is gone when it ends', async () => {
    const dataDir = storeCopy();
    writeLock(dataDir, { pid: deadPid(), runId: 'killed-run' });
    const run = await rotor('run', '--local', '--quiet', '--data-dir', dataDir, '--run-id', 'after-stale-lock');
    expect(FINISHED).toContain(run.code);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    expect((await rotor('status', 'after-stale-lock', '--data-dir', dataDir)).stdout).toContain('SUCCEEDED');
  });

  it('a half-written lock (no holder in it) is taken over too', async () => {
    const dataDir = storeCopy();
    writeFileSync(join(dataDir, LOCK_FILE), '{"pid":');
    expect((await rotor('runs', '--data-dir', dataDir)).code).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });
});

describe('a damaged store', () => {
  it('missing its CURRENT file: exit 2, how to restore it, nothing opened or changed', async () => {
    const dataDir = storeCopy();
    const db = join(dataDir, 'db');
    unlinkSync(join(db, 'CURRENT'));
    const before = snapshot(dataDir);
    const calls = suite.sim.totalCalls();
    for (const args of [['runs'], ['exceptions', 'list'], ['run', '--local', '--mode', 'remediate']]) {
      const refused = await rotor(...args, '--data-dir', dataDir);
      expect({ args, code: refused.code }).toEqual({ args, code: 2 });
      expect(refused.stderr).toMatch(/is damaged: its CURRENT file is missing but it holds data .*nothing was lost: .*echo MANIFEST-\d+ > .*CURRENT.* restores it/);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    expect(suite.sim.totalCalls()).toBe(calls);
    expect(snapshot(dataDir)).toEqual(before);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    // The way back the message gives works: the store reads again with its run.
    const manifest = readdirSync(db).find((n) => n.startsWith('MANIFEST-'))!;
    writeFileSync(join(db, 'CURRENT'), `${manifest}\n`);
    expect((await rotor('runs', '--data-dir', dataDir)).stdout).toContain('seed-scan');
  });

  it('with a corrupt manifest: exit 2, restore from a backup or move it away, nothing changed', async () => {
    const dataDir = storeCopy();
    const db = join(dataDir, 'db');
    const manifest = readdirSync(db).find((n) => n.startsWith('MANIFEST-'))!;
    writeFileSync(join(db, manifest), Buffer.alloc(4096, 0xab));
    const before = snapshot(dataDir);
    for (const args of [['runs'], ['exceptions', 'add', '--account', '100000000002', '--owner', 'a', '--reason', 'b', '--expires', '2099-01-01'], ['run', '--local']]) {
      const refused = await rotor(...args, '--data-dir', dataDir);
      expect({ args, code: refused.code }).toEqual({ args, code: 2 });
      expect(refused.stderr).toMatch(/the embedded store in .*db (is damaged|cannot be opened).*restore .* from a backup, or move it away to start an empty store/);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    expect(snapshot(dataDir)).toEqual(before);
  });
});

describe('a store holding malformed exceptions', () => {
  const WRONG_OWNER = 'arn:aws:kms:us-east-1:100000000002:key/11111111-2222-3333-4444-555555555555';

  it('lists them as MALFORMED with what is wrong, stops reports with how to remove them, and removes them', async () => {
    const dataDir = storeCopy();
    const embedded = await startEmbeddedStore({ path: join(dataDir, 'db') });
    const put = (item: Record<string, unknown>) => embedded.store.doc.send(new PutCommand({ TableName: EMBEDDED_TABLE, Item: { pk: 'EXCEPTION', ...item } }));
    await put({ sk: WRONG_OWNER, target: WRONG_OWNER, reason: 'r', expiresAt: '2099-01-01', createdAt: '2026-01-01T00:00:00Z' });
    await put({ sk: 'not a target', target: 'not a target', owner: 'o', reason: 'r', expiresAt: 'soon', createdAt: '2026-01-01T00:00:00Z' });
    await embedded.close();

    const listed = await rotor('exceptions', 'list', '--data-dir', dataDir);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${WRONG_OWNER}\\s+MALFORMED\\s+owner: `));
    expect(listed.stdout).toMatch(/not a target\s+MALFORMED\s+target: must be a KMS key ARN.*expiresAt: must be a date/);
    expect(listed.stderr).toContain('2 malformed exception(s)');
    const json = JSON.parse((await rotor('exceptions', 'list', '--data-dir', dataDir, '--output', 'json')).stdout) as { target: string; malformed?: string }[];
    expect(json.map((e) => [e.target, typeof e.malformed])).toEqual(expect.arrayContaining([[WRONG_OWNER, 'string'], ['not a target', 'string']]));

    const report = await rotor('report', '--latest', '--data-dir', dataDir);
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/holds a malformed exception .*`rotor exceptions remove /);
    expect(report.stderr).not.toMatch(/\n\s+at /);

    // A target no malformed item has is still refused.
    expect((await rotor('exceptions', 'remove', 'not a target either', '--data-dir', dataDir)).code).toBe(2);
    for (const target of [WRONG_OWNER, 'not a target']) {
      const removed = await rotor('exceptions', 'remove', target, '--data-dir', dataDir);
      expect({ target, code: removed.code, stdout: removed.stdout }).toEqual({ target, code: 0, stdout: `exception for ${target} removed\n` });
    }
    expect((await rotor('exceptions', 'list', '--data-dir', dataDir)).stdout).toBe('no exceptions\n');
    expect((await rotor('report', '--latest', '--data-dir', dataDir)).code).not.toBe(2);
  });
});
