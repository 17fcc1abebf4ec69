// The hostile corpus (test/support/hostile-corpus.ts) through the CLI's listings: `exceptions
// add` and `list`, `runs` and `status` read it back from an embedded store, and the columns that
// `drift` and `history` print take it as cells. What reaches the terminal is inert; JSON output
// gives the text back unchanged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { columns } from '../../cli/columns';
import { startEmbeddedStore } from '../../local/embedded-store';
import { HOSTILE_CORPUS, HOSTILE_RUN, expectInertForTerminal } from '../support/hostile-corpus';
import { rotor } from '../support/rotor-cli';

const accountId = (i: number) => `8000000000${String(i).padStart(2, '0')}`;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rotor-hostile-'));
  const embedded = await startEmbeddedStore({ path: join(dir, 'db') });
  try {
    for (const [i, text] of HOSTILE_CORPUS.entries()) {
      await embedded.store.addException({ target: accountId(i), owner: text, reason: text, expiresAt: '2099-01-01', createdAt: HOSTILE_RUN.startedAt });
      const startedAt = new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString();
      await embedded.store.createRun({ ...HOSTILE_RUN, runId: text, startedAt });
    }
    await embedded.store.createRun({ ...HOSTILE_RUN, startedAt: '2025-02-01T00:00:00.000Z' });
  } finally {
    await embedded.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the hostile corpus in the CLI listings', () => {
  it('exceptions list: one line per exception, inert', async () => {
    const listed = await rotor('exceptions', 'list', '--data-dir', dir);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expectInertForTerminal(listed.stdout);
    expect(listed.stdout.trimEnd().split('\n')).toHaveLength(1 + HOSTILE_CORPUS.length);
    expect(listed.stdout).toContain('\\x1B]0;pwned\\x07');
  });

  it('exceptions list --output json: the text as it was stored, printed inert', async () => {
    const listed = await rotor('exceptions', 'list', '--data-dir', dir, '--output', 'json');
    expectInertForTerminal(listed.stdout);
    const rows = JSON.parse(listed.stdout) as { target: string; owner: string; reason: string }[];
    const byTarget = new Map(rows.map((r) => [r.target, r]));
    HOSTILE_CORPUS.forEach((text, i) => expect(byTarget.get(accountId(i))).toMatchObject({ owner: text, reason: text }));
  });

  it('exceptions add echoes a hostile owner inert', async () => {
    const added = await rotor('exceptions', 'add', '--data-dir', dir, '--account', '899999999999', '--owner', '\x1b]0;pwned\x07\u202Eeve', '--reason', 'r\nforged', '--expires', '2099-01-01');
    expect(added.code).toBe(0);
    expectInertForTerminal(added.stdout);
    expect(added.stdout).toBe('exception added for 899999999999 (owner \\x1B]0;pwned\\x07\\u202Eeve, expires 2099-01-01)\n');
    expect((await rotor('exceptions', 'remove', '--data-dir', dir, '899999999999')).code).toBe(0);
  });

  it('runs: one line per run, inert', async () => {
    const runs = await rotor('runs', '--data-dir', dir, '--limit', '100');
    expect(runs.code).toBe(0);
    expectInertForTerminal(runs.stdout);
    expect(runs.stdout.trimEnd().split('\n')).toHaveLength(2 + HOSTILE_CORPUS.length);
  });

  it('status: the halt reason and plan note on their own lines, inert', async () => {
    const status = await rotor('status', '--data-dir', dir, HOSTILE_RUN.runId);
    expect(status.code).toBe(0);
    expectInertForTerminal(status.stdout);
    expect(status.stdout).toMatch(/^plan: .*invoice\\u202Efdp\.exe/m);
    expect(status.stdout).toMatch(/^why it stopped: run failed: \\x1B\[2J/m);
  });

  it("drift's and history's columns: one line per row, inert", () => {
    const text = columns([['ACCOUNT', 'REGION', 'KEY', 'REASON'], ...HOSTILE_CORPUS.map((t, i) => [accountId(i), t, t, t])]);
    expectInertForTerminal(text);
    expect(text.trimEnd().split('\n')).toHaveLength(1 + HOSTILE_CORPUS.length);
  });
});
