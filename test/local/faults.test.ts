// The fault suite's invariants (bench/faults.ts runs each fault on a fresh simulated organization
// with `rotor run --local` in a child process): whatever the fault, every key of the accounts in
// scope ends with exactly one status or one error record, none is lost, none is enabled twice, and
// every key a run enabled is recorded REMEDIATED by exactly one run. A kill -9 at each of five
// points of a rollout, or SIGINT, is followed by the next run, which finishes the work. Never on time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FAULTS, runFault, type FaultFigures } from '../../bench/faults';

/** The standard organization's non-compliant keys a remediation enables. */
const TO_ENABLE = 9;

function fault(name: string) {
  const found = FAULTS.find((f) => f.name === name);
  if (!found) throw new Error(`no fault ${name}`);
  return found;
}

/** Nothing lost, nothing twice, every key it enabled attributed to one run. */
function expectNothingLostOrTwice(figures: FaultFigures): void {
  expect({ fault: figures.fault, exactlyOne: figures.exactlyOne, lost: figures.lost, enabledTwice: figures.enabledTwice, unattributed: figures.unattributed }).toEqual({
    fault: figures.fault,
    exactlyOne: figures.keys,
    lost: 0,
    enabledTwice: 0,
    unattributed: 0,
  });
  expect(figures.remediated.reduce((a, b) => a + b, 0)).toBe(figures.remediatedKeys);
}

const FINISHED = /^[03]$/;

describe.each([
  'kill -9 during ListAccounts, then the next run',
  'kill -9 mid-ScanAccount, then the next run',
  'kill -9 after PlanWaves, then the next run',
  'kill -9 mid-wave RemediateAccount, then the next run',
  'kill -9 during Finalize, then the next run',
])('%s', (name) => {
  it('leaves the killed run INTERRUPTED, and the next run ends every key with one status and enables each key once', async () => {
    const figures = await runFault(fault(name));
    expectNothingLostOrTwice(figures);
    const [killed, next] = figures.exit.split('+');
    expect(killed).toBe('killed');
    expect(next).toMatch(FINISHED);
    expect(figures.status).toBe('INTERRUPTED+SUCCEEDED');
    // Between them, the two runs remediated every key that needed it, each key once.
    expect(figures.remediatedKeys).toBe(TO_ENABLE);
  });
});

test('SIGINT mid-wave: exit 130, INTERRUPTED, and the next run finishes: every key once', async () => {
  const figures = await runFault(fault('SIGINT mid-wave, then the next run'));
  expectNothingLostOrTwice(figures);
  expect(figures.exit).toMatch(/^130\+[03]$/);
  expect(figures.status).toBe('INTERRUPTED+SUCCEEDED');
  expect(figures.remediated[0]).toBeGreaterThan(0);
  expect(figures.remediatedKeys).toBe(TO_ENABLE);
});

test('two concurrent runs: the second is refused (exit 2), the first finishes alone', async () => {
  const figures = await runFault(fault('two concurrent runs'));
  expectNothingLostOrTwice(figures);
  expect(figures.exit).toMatch(/^2\+[03]$/);
  expect(figures.remediatedKeys).toBe(TO_ENABLE);
});

test('a corrupted embedded store: exit 2, no AWS call', async () => {
  const figures = await runFault(fault('corrupted embedded store'));
  expect(figures).toMatchObject({ exit: '2', calls: 0, enabledTwice: 0 });
});

describe.each(['slow AWS 0.5 s per call', 'slow AWS 2 s per call'])('%s', (name) => {
  it('enables each key at most once and does not halt: every key one status, the run SUCCEEDED', async () => {
    const figures = await runFault(fault(name));
    expectNothingLostOrTwice(figures);
    expect(figures.status).toBe('SUCCEEDED');
    expect(figures.exit).toMatch(FINISHED);
    expect(figures.remediatedKeys).toBe(TO_ENABLE);
  });
});

test.each(['EnableKeyRotation OK, rotation stays off', 'DescribeKey denied', 'Region failing', 'account suspended mid-run'])('%s: every key one status or one error record, none enabled twice', async (name) => {
  const figures = await runFault(fault(name));
  expectNothingLostOrTwice(figures);
  expect(figures.exit).toMatch(/^[0-3]$/);
});

test('`npm run bench -- faults NAME` prints the table for the faults named', () => {
  const bench = spawnSync('npm', ['run', '--silent', 'bench', '--', 'faults', 'corrupted'], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
  expect(bench.status).toBe(0);
  const lines = bench.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^Fault suite: 1 fault\(s\)/);
  expect(lines[1].split(/\s{2,}/)).toEqual(['FAULT', 'KEYS', 'ONE STATUS', 'LOST', 'ENABLED TWICE', 'UNATTRIBUTED', 'EXIT', 'STATUS', 'RETRIES', 'CALLS']);
  expect(lines[2].split(/\s{2,}/)).toEqual(['corrupted embedded store', '0', '0', '0', '0', '0', '2', 'no store', '0', '0']);
});
