// A run's life as pure functions: the recorded input, its status as it truly
// stands (a local run whose process is gone is INTERRUPTED), which runs are complete, and what an
// interrupted run's remediation came to once a later run has looked at its keys.
import {
  HEARTBEAT_STALE_MS,
  isCompleted,
  liveStatusOf,
  newRun,
  reconcileInterrupted,
  runAsSeen,
  type ProcessProbe,
} from '../../functions/core/runs';
import { ExecutionInput, RunStatus, type Finding, type RunRecord } from '../../functions/core/schemas';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const HERE = 'laptop';
const LIVE_PID = 4242;

function probe(overrides: Partial<ProcessProbe> = {}): ProcessProbe {
  return { host: HERE, isAlive: (pid) => pid === LIVE_PID, now: NOW, ...overrides };
}

function running(fields: Partial<RunRecord> = {}): RunRecord {
  const input = ExecutionInput.parse({ mode: 'remediate' });
  return { ...newRun('r1', input, new Date(NOW.getTime() - 60_000)), pid: LIVE_PID, host: HERE, heartbeatAt: new Date(NOW.getTime() - 5_000).toISOString(), ...fields };
}

describe('newRun', () => {
  it('keeps the input it ran with, whole', () => {
    const input = ExecutionInput.parse({ mode: 'remediate', regions: ['us-east-1'], readKeyTags: true });
    const run = newRun('r1', input, NOW);
    expect(run.input).toEqual(input);
    expect(run.input).not.toBe(input);
  });
});

describe('liveStatusOf', () => {
  it('a RUNNING local run whose process is alive here and beats is RUNNING', () => {
    expect(liveStatusOf(running(), probe())).toBe('RUNNING');
  });

  it('a RUNNING local run whose process is gone from this host is INTERRUPTED, heartbeat fresh or not', () => {
    expect(liveStatusOf(running({ pid: 99 }), probe())).toBe('INTERRUPTED');
    expect(liveStatusOf(running({ pid: 99, heartbeatAt: NOW.toISOString() }), probe())).toBe('INTERRUPTED');
  });

  it('a heartbeat older than the stale limit is INTERRUPTED even if the pid lives (reused) or is on another host', () => {
    const stale = new Date(NOW.getTime() - HEARTBEAT_STALE_MS - 1).toISOString();
    const fresh = new Date(NOW.getTime() - HEARTBEAT_STALE_MS + 1000).toISOString();
    expect(liveStatusOf(running({ heartbeatAt: stale }), probe())).toBe('INTERRUPTED');
    expect(liveStatusOf(running({ host: 'ci-agent', pid: 99, heartbeatAt: stale }), probe())).toBe('INTERRUPTED');
    // Another host's pid cannot be checked from here: only its heartbeat tells.
    expect(liveStatusOf(running({ host: 'ci-agent', pid: 99, heartbeatAt: fresh }), probe())).toBe('RUNNING');
  });

  it('with no heartbeat yet, the start time counts as the last sign of life', () => {
    const long = new Date(NOW.getTime() - HEARTBEAT_STALE_MS - 1).toISOString();
    expect(liveStatusOf(running({ host: 'ci-agent', heartbeatAt: undefined, startedAt: long }), probe())).toBe('INTERRUPTED');
    expect(liveStatusOf(running({ host: 'ci-agent', heartbeatAt: undefined, startedAt: NOW.toISOString() }), probe())).toBe('RUNNING');
  });

  it('a run that recorded no process (a deployed execution) and every finished status are as stored', () => {
    expect(liveStatusOf(running({ pid: undefined, host: undefined, heartbeatAt: undefined, startedAt: '2020-01-01T00:00:00.000Z' }), probe())).toBe('RUNNING');
    for (const status of RunStatus.options.filter((s) => s !== 'RUNNING')) expect(liveStatusOf(running({ status, pid: 99 }), probe())).toBe(status);
  });

  it('asks about no process when it need not, and asks about the recorded pid only', () => {
    const asked: number[] = [];
    const counting = probe({ isAlive: (pid) => (asked.push(pid), true) });
    liveStatusOf(running({ status: 'SUCCEEDED' }), counting);
    liveStatusOf(running({ host: 'ci-agent' }), counting);
    expect(asked).toEqual([]);
    liveStatusOf(running(), counting);
    expect(asked).toEqual([LIVE_PID]);
  });
});

describe('runAsSeen', () => {
  it('returns the same record when its status stands, a copy with INTERRUPTED when its process is gone', () => {
    const alive = running();
    expect(runAsSeen(alive, probe())).toBe(alive);
    const gone = running({ pid: 99 });
    const seen = runAsSeen(gone, probe());
    expect(seen).toEqual({ ...gone, status: 'INTERRUPTED' });
    expect(gone.status).toBe('RUNNING');
  });
});

describe('isCompleted', () => {
  it('SUCCEEDED and HALTED runs describe a whole run; RUNNING, FAILED and INTERRUPTED do not', () => {
    expect(RunStatus.options.filter(isCompleted)).toEqual(['SUCCEEDED', 'HALTED']);
  });
});

describe('reconcileInterrupted', () => {
  const A = '100000000002';
  function finding(name: string, fields: Partial<Finding> = {}): Finding {
    return {
      runId: 'interrupted',
      accountId: A,
      region: 'us-east-1',
      keyId: name,
      keyArn: `arn:aws:kms:us-east-1:${A}:key/${name}`,
      status: 'NON_COMPLIANT',
      rotationEnabledBefore: false,
      scannedAt: '2026-03-01T10:00:00.000Z',
      wave: 1,
      ...fields,
    };
  }
  const laterSaw = (entries: [string, Pick<Finding, 'status' | 'rotationPeriodInDays'>][]) =>
    new Map(entries.map(([name, f]) => [`arn:aws:kms:us-east-1:${A}:key/${name}`, f]));

  it('records REMEDIATED, in the interrupted run, exactly the keys it asked to enable that the later run found rotating', () => {
    const keys = [
      finding('enabled', { enableRequestedAt: '2026-03-01T10:05:00.000Z' }),
      finding('asked-not-rotating', { enableRequestedAt: '2026-03-01T10:05:01.000Z' }),
      finding('never-asked'),
      finding('already-done', { status: 'REMEDIATED', enableRequestedAt: '2026-03-01T10:04:00.000Z', remediatedAt: '2026-03-01T10:04:01.000Z' }),
      finding('unseen-later', { enableRequestedAt: '2026-03-01T10:05:02.000Z' }),
    ];
    const later = laterSaw([
      ['enabled', { status: 'COMPLIANT', rotationPeriodInDays: 180 }],
      ['asked-not-rotating', { status: 'NON_COMPLIANT' }],
      ['never-asked', { status: 'COMPLIANT' }],
      ['already-done', { status: 'COMPLIANT' }],
    ]);
    const decided = reconcileInterrupted(keys, later, 'next-run', '2026-03-01T11:00:00.000Z');
    expect(decided).toEqual([
      {
        ...keys[0],
        status: 'REMEDIATED',
        reason: 'rotation enabled by this run, which was interrupted before it confirmed it; run next-run found it rotating',
        rotationEnabledAfter: true,
        rotationPeriodInDays: 180,
        remediatedAt: '2026-03-01T11:00:00.000Z',
      },
    ]);
    // Attributed to the interrupted run: its run id and wave stay.
    expect(decided[0]).toMatchObject({ runId: 'interrupted', wave: 1 });
  });

  it('keeps the period the key had when the later run read none, and decides nothing twice', () => {
    const keys = [finding('k', { enableRequestedAt: '2026-03-01T10:05:00.000Z', rotationPeriodInDays: 365 })];
    const once = reconcileInterrupted(keys, laterSaw([['k', { status: 'COMPLIANT' }]]), 'next', '2026-03-01T11:00:00.000Z');
    expect(once[0].rotationPeriodInDays).toBe(365);
    expect(reconcileInterrupted(once, laterSaw([['k', { status: 'COMPLIANT' }]]), 'after-next', '2026-03-02T11:00:00.000Z')).toEqual([]);
  });
});
