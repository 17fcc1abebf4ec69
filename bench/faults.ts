// `npm run bench -- faults`: the fault suite as figures. Each fault runs `rotor run --local --mode
// remediate` (cli/bin.ts through tsx, a child process: exit codes, signals and kills are real)
// against the simulated organization served from this process, with the fault injected there;
// then the embedded store and the simulator's call counts are read. Per fault: the keys of the
// accounts in scope, those that ended with exactly one status (one finding, or one scan error
// record that covers a key that could not be read; a remediation error explains a finding and is
// no status of its own), those lost (neither), those enabled twice (EnableKeyRotation answered OK more
// than once), the exit code, the run's status, retries (calls answered with a throttle or a server
// error, each of which the SDK or the step retried) and AWS calls. A kill or SIGINT is followed
// by the next run, as an operator would start it; its figures are those of the two runs together.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorRecord, Finding, RunRecord } from '../functions/core/schemas';
import { checkStoreFolder, probeStore } from '../cli/store-lock';
import { startEmbeddedStore } from '../local/embedded-store';
import { startSimulator, type SimulatedOrganization } from '../local/sim';
import { envWithoutAws } from '../local/simulator-env';
import type { ScenarioInput } from '../local/sim/scenario';

const REPO = join(__dirname, '..');
const CLI = join(REPO, 'cli', 'bin.ts');
export const STANDARD_SCENARIO = join(REPO, 'test', 'scenarios', 'standard.json');

/** When to act on a run in flight: once an operation has been answered N times, or once stderr says something. */
export type Moment = { calls: string; atLeast?: number } | { stderr: RegExp };

export interface FaultCase {
  name: string;
  /** Injected before the run (faults, latency, a throttling storm, roles). */
  setup?: (sim: SimulatedOrganization) => void;
  /** Done to the run in flight at `at`. */
  during?: { at: Moment; act: 'kill' | 'sigint' | 'second-run' | ((sim: SimulatedOrganization) => void) };
  /** Done to the store before the run. */
  store?: 'corrupt';
  /** Runs only when named: it takes longer than a benchmark should. */
  long?: boolean;
}

export interface FaultFigures {
  fault: string;
  keys: number;
  exactlyOne: number;
  lost: number;
  enabledTwice: number;
  /** Exit codes of the runs, in order ("2+0": a refused second run beside the first). */
  exit: string;
  status: string;
  retries: number;
  calls: number;
  /** Keys each run recorded REMEDIATED (the interrupted one's after reconciling), in order. */
  remediated: number[];
  /** Distinct keys recorded REMEDIATED by any run: equal to the sum of `remediated` when none was recorded twice. */
  remediatedKeys: number;
  /** Keys with an EnableKeyRotation call that no run recorded REMEDIATED (one it enabled, unattributed). */
  unattributed: number;
}

const A = { prodCore: '100000000002', prodData: '100000000003', staging: '100000000004', dev: '100000000005' };

/** The faults of the table, on the standard organization (7 accounts, 30 keys). */
export const FAULTS: FaultCase[] = [
  { name: 'none' },
  // At 90% almost no Region finishes its calls within the SDK's attempts: the step retries the
  // account with backoff until its attempts run out, past 20 minutes here.
  ...[0.1, 0.5, 0.9].map((f) => ({ name: `KMS throttling storm ${f * 100}%`, setup: (sim: SimulatedOrganization) => sim.setThrottleFraction(f), long: f > 0.5 })),
  ...[500, 2000].map((ms) => ({ name: `slow AWS ${ms / 1000} s per call`, setup: (sim: SimulatedOrganization) => sim.setLatency(ms) })),
  { name: 'member role missing', setup: (sim) => sim.setRoles(A.staging, []) },
  { name: 'ExternalId mismatch', setup: (sim) => sim.setRoles(A.staging, [{ name: 'KmsRotorScanRole', externalId: 'theirs' }, { name: 'KmsRotorRemediateRole', externalId: 'theirs' }]) },
  { name: 'account suspended mid-run', during: { at: { stderr: /plan: / }, act: (sim) => sim.setAccountState(A.prodCore, 'SUSPENDED') } },
  { name: 'Region failing', setup: (sim) => sim.addFault({ type: 'region-failure', accountId: A.prodCore, region: 'eu-south-1' }) },
  { name: 'DescribeKey denied', setup: (sim) => sim.addFault({ type: 'operation-error', accountId: A.prodData, service: 'kms', operation: 'DescribeKey', error: 'AccessDeniedException' }) },
  { name: 'EnableKeyRotation failing', setup: (sim) => sim.addFault({ type: 'enable-rotation-error', accountId: A.prodCore, error: 'AccessDeniedException' }) },
  { name: 'EnableKeyRotation OK, rotation stays off', setup: (sim) => sim.addFault({ type: 'enable-rotation-ignored', accountId: A.prodData }) },
  ...KILL_POINTS(),
  { name: 'SIGINT mid-wave, then the next run', setup: (sim) => sim.setLatency(150), during: { at: { calls: 'EnableKeyRotation' }, act: 'sigint' } },
  { name: 'two concurrent runs', setup: (sim) => sim.setLatency(100), during: { at: { calls: 'ListKeys' }, act: 'second-run' } },
  { name: 'corrupted embedded store', store: 'corrupt' },
];

/** kill -9 at five points of a rollout, each followed by the next run. */
function KILL_POINTS(): FaultCase[] {
  const slow = (sim: SimulatedOrganization) => sim.setLatency(150);
  const points: [string, Moment][] = [
    ['during ListAccounts', { calls: 'ListAccounts' }],
    ['mid-ScanAccount', { calls: 'DescribeKey', atLeast: 5 }],
    ['after PlanWaves', { stderr: /plan: / }],
    ['mid-wave RemediateAccount', { calls: 'EnableKeyRotation' }],
    ['during Finalize', { stderr: /wave 3: / }],
  ];
  return points.map(([where, at]) => ({ name: `kill -9 ${where}, then the next run`, setup: slow, during: { at, act: 'kill' as const } }));
}

interface Child {
  ended: Promise<number | null>;
  stderr(): string;
  signal(name: NodeJS.Signals): void;
  exited(): boolean;
}

function rotorChild(sim: SimulatedOrganization, args: string[]): Child {
  const env = envWithoutAws({
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: sim.managementCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sim.managementCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  });
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let done = false;
  const ended = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      done = true;
      resolve(code);
    }),
  );
  return { ended, stderr: () => stderr, signal: (name) => child.kill(name), exited: () => done };
}

async function reached(sim: SimulatedOrganization, child: Child, at: Moment): Promise<boolean> {
  for (;;) {
    if ('calls' in at ? sim.totalCalls({ operation: at.calls }) >= (at.atLeast ?? 1) : at.stderr.test(child.stderr())) return true;
    if (child.exited()) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const RETRIED = /Throttl|TooManyRequests|RequestLimitExceeded|InternalFailure|ServiceUnavailable|KMSInternal/;

/** Runs one fault in a fresh organization and store; returns its figures. */
export async function runFault(fault: FaultCase, scenario: string | ScenarioInput = STANDARD_SCENARIO): Promise<FaultFigures> {
  const sim = await startSimulator({ scenario });
  const work = mkdtempSync(join(tmpdir(), 'rotor-fault-'));
  const dataDir = join(work, 'store');
  // The keys in scope: every key of the accounts active when the run starts.
  const active = sim.accounts().filter((a) => a.state === 'ACTIVE').map((a) => a.id);
  const keys = active.flatMap((id) => sim.listKeys(id));
  try {
    const args = (runId: string) => ['run', '--local', '--mode', 'remediate', '--wave-size', '3', '--no-progress', '--data-dir', dataDir, '--run-id', runId];
    const runIds = ['first'];
    const exits: (number | null)[] = [];
    if (fault.store === 'corrupt') {
      // A store with a finished scan, its manifest overwritten.
      await rotorChild(sim, ['run', '--local', '--quiet', '--data-dir', dataDir, '--run-id', 'seed']).ended;
      sim.resetCallCounts();
      const db = join(dataDir, 'db');
      writeFileSync(join(db, readdirSync(db).find((n) => n.startsWith('MANIFEST-'))!), Buffer.alloc(4096, 0xab));
    }
    fault.setup?.(sim);
    const first = rotorChild(sim, args('first'));
    let interrupted = false;
    if (fault.during && (await reached(sim, first, fault.during.at))) {
      const { act } = fault.during;
      if (act === 'kill') {
        first.signal('SIGKILL');
        interrupted = true;
      } else if (act === 'sigint') {
        first.signal('SIGINT');
        interrupted = true;
      } else if (act === 'second-run') {
        // The first run is held (SIGSTOP) while the second starts, so it still holds the store
        // when the second asks, however slowly the second process starts on a loaded machine.
        first.signal('SIGSTOP');
        try {
          exits.push(await rotorChild(sim, args('second')).ended);
        } finally {
          first.signal('SIGCONT');
        }
      } else act(sim);
    }
    exits.push(await first.ended);
    if (interrupted) {
      // The requests a killed process had sent are still answered: let them land, then the next run.
      await new Promise((r) => setTimeout(r, 500));
      sim.setLatency(0);
      runIds.push('next');
      exits.push(await rotorChild(sim, args('next')).ended);
    }
    return { fault: fault.name, ...(await figures(sim, dataDir, keys, runIds)), exit: exits.map((code) => (code === null ? 'killed' : String(code))).join('+') };
  } finally {
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  }
}

async function figures(sim: SimulatedOrganization, dataDir: string, keys: ReturnType<SimulatedOrganization['listKeys']>, runIds: string[]): Promise<Omit<FaultFigures, 'fault' | 'exit'>> {
  const enableOk = new Map<string, number>();
  for (const c of sim.keyCallCounts({ operation: 'EnableKeyRotation' })) enableOk.set(`${c.accountId}|${c.region}|${c.keyId}`, c.succeeded);
  const callCounts = sim.callCounts();
  const retries = callCounts.reduce((n, c) => n + Object.entries(c.errors).filter(([code]) => RETRIED.test(code)).reduce((m, [, k]) => m + k, 0), 0);
  const calls = callCounts.reduce((n, c) => n + c.calls, 0);
  const base = { keys: keys.length, retries, calls, enabledTwice: [...enableOk.values()].filter((n) => n > 1).length };
  let embedded;
  try {
    // Checked as the CLI checks it first: the store library throws a damaged store's errors uncaught.
    checkStoreFolder(join(dataDir, 'db'));
    await probeStore(join(dataDir, 'db'), () => undefined);
    embedded = await startEmbeddedStore({ path: join(dataDir, 'db') });
  } catch {
    // No store, or a damaged one that no run could open: no key was looked at.
    return { ...base, keys: 0, exactlyOne: 0, lost: 0, status: 'no store', remediated: [], remediatedKeys: 0, unattributed: 0 };
  }
  try {
    const runs: { record?: RunRecord; findings: Finding[]; errors: ErrorRecord[] }[] = [];
    for (const runId of runIds) {
      const findings: Finding[] = [];
      for await (const f of embedded.store.findings(runId)) findings.push(f);
      runs.push({ record: await embedded.store.getRun(runId), findings, errors: await embedded.store.errors(runId) });
    }
    // Statuses are those of the last run: the one that saw every key after the fault.
    const last = runs[runs.length - 1];
    let exactlyOne = 0;
    let lost = 0;
    for (const key of keys) {
      const n =
        last.findings.filter((f) => f.keyArn === key.arn).length +
        last.errors.filter((e) => e.phase !== 'remediate' && e.accountId === key.accountId && (e.keyId ? e.keyId === key.keyId : e.region === undefined || e.region === key.region)).length;
      if (n === 1) exactlyOne++;
      if (n === 0) lost++;
    }
    const remediatedArns = new Set(runs.flatMap((r) => r.findings.filter((f) => f.status === 'REMEDIATED').map((f) => f.keyArn)));
    const unattributed = keys.filter((k) => (enableOk.get(`${k.accountId}|${k.region}|${k.keyId}`) ?? 0) > 0 && !remediatedArns.has(k.arn) && !ignoredEnable(sim, k)).length;
    return {
      ...base,
      exactlyOne,
      lost,
      status: runs.map((r) => r.record?.status ?? 'none').join('+'),
      remediated: runs.map((r) => r.findings.filter((f) => f.status === 'REMEDIATED').length),
      remediatedKeys: remediatedArns.size,
      unattributed,
    };
  } finally {
    await embedded.close();
  }
}

/** A key whose EnableKeyRotation was answered OK but left rotation off (that fault): recorded REMEDIATION_FAILED, rightly. */
function ignoredEnable(sim: SimulatedOrganization, key: { accountId: string; region: string; keyId: string }): boolean {
  return sim.getKey(key.accountId, key.region, key.keyId)?.rotationEnabled === false;
}

const COLUMNS = ['FAULT', 'KEYS', 'ONE STATUS', 'LOST', 'ENABLED TWICE', 'UNATTRIBUTED', 'EXIT', 'STATUS', 'RETRIES', 'CALLS'];
const WIDTHS = [52, 4, 10, 4, 13, 12, 8, 21, 7, 5];

/** One line of the table; each fault's is printed as it ends (a long storm hides no other). */
function line(cells: (string | number)[]): string {
  return cells.map((cell, i) => (i === 0 ? String(cell).padEnd(WIDTHS[i]) : String(cell).padStart(WIDTHS[i]))).join('  ');
}

/** Runs every fault but the long ones (or those whose name contains one of `only`) and prints the table. */
export async function main(args: string[]): Promise<FaultFigures[]> {
  const only = args.filter((a) => !a.startsWith('-'));
  const chosen = FAULTS.filter((f) => (only.length === 0 ? !f.long : only.some((o) => f.name.includes(o))));
  console.log(`Fault suite: ${chosen.length} fault(s), each on a fresh standard organization (7 accounts, 30 keys), remediate in waves of 3`);
  console.log(line(COLUMNS));
  const rows: FaultFigures[] = [];
  for (const fault of chosen) {
    const r = await runFault(fault);
    rows.push(r);
    console.log(line([r.fault, r.keys, r.exactlyOne, r.lost, r.enabledTwice, r.unattributed, r.exit, r.status, r.retries, r.calls]));
  }
  return rows;
}
