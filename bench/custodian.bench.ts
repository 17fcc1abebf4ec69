// Cloud Custodian (c7n-org) on the simulated organization the remediation benchmark uses, as a
// baseline: the policy in bench/custodian/ run once with --dryrun (a scan) and once for real (a
// remediation) on fresh simulators, with wall and CPU time and the requests it made by operation.
// c7n-org is not an npm package: it runs when `c7n-org` is on PATH (`pip install c7n c7n-org`) or
// C7N_ORG names the command (e.g. `python3 -m c7n_org.cli`); otherwise the figures are null.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { buildLargeScenario, startSimulator, type ScenarioInput } from '../local/sim';

export interface CustodianRun {
  wallSeconds: number;
  /** CPU of c7n-org and its worker processes. */
  cpuSeconds: number;
  apiCalls: Record<string, number>;
  requestsPerKey: number;
}

export interface CustodianBenchResult {
  command: string;
  scan: CustodianRun;
  remediate: CustodianRun;
}

const POLICY = join(__dirname, 'custodian', 'kms-key-rotation.yml');

/** The c7n-org command line, or undefined when there is none on this machine. */
export function custodianCommand(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const named = env.C7N_ORG?.trim();
  if (named) return named.split(/\s+/);
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'c7n-org');
    try {
      accessSync(candidate, constants.X_OK);
      return [candidate];
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** c7n-org's accounts file: every account of the scenario, its Regions, the role to assume. */
export function accountsConfig(scenario: ScenarioInput, regions: string[], roleName: string): string {
  const lines = ['accounts:'];
  for (const a of scenario.accounts) {
    lines.push(`  - account_id: "${a.id}"`, `    name: acct-${a.id}`, `    regions: [${regions.join(', ')}]`, `    role: arn:aws:iam::${a.id}:role/${roleName}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs a command with bash's `times` after it, so the CPU of every process it started is counted. */
function runTimed(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ status: number | null; stderr: string; cpuSeconds: number }> {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the simulator answers from this process's event loop.
    const child = spawn('bash', ['-c', '"$@" >/dev/null 2>c7n.err; s=$?; times; exit $s', 'bash', ...argv], { env, cwd });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      // `times` prints the shell's user/system time, then its children's: "0m1.234s 0m0.567s".
      const children = out.trim().split('\n').pop() ?? '';
      const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
      resolve({ status, stderr: readFileSync(join(cwd, 'c7n.err'), 'utf8'), cpuSeconds: seconds });
    });
  });
}

async function runCustodian(command: string[], scenario: ScenarioInput, regions: string[], keys: number, latencyMs: number, dryRun: boolean): Promise<CustodianRun> {
  const sim = await startSimulator({ scenario, latencyMs });
  const dir = mkdtempSync(join(tmpdir(), 'kms-rotor-c7n-'));
  try {
    writeFileSync(join(dir, 'accounts.yml'), accountsConfig(scenario, regions, 'KmsRotorRemediateRole'));
    const env: NodeJS.ProcessEnv = {
      ...process.env, AWS_ENDPOINT_URL: sim.endpoint, AWS_ACCESS_KEY_ID: sim.managementCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sim.managementCredentials.secretAccessKey, AWS_DEFAULT_REGION: regions[0], AWS_REGION: regions[0],
    };
    for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN']) delete env[name];
    const argv = [...command, 'run', '-c', 'accounts.yml', '-s', 'out', '-u', POLICY, '--cache-period', '0', ...(dryRun ? ['--dryrun'] : [])];
    const started = Date.now();
    const run = await runTimed(argv, env, dir);
    const wallSeconds = (Date.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`c7n-org exited ${run.status}: ${run.stderr.slice(-2000)}`);
    const apiCalls: Record<string, number> = {};
    for (const c of sim.callCounts()) apiCalls[`${c.service}:${c.operation}`] = (apiCalls[`${c.service}:${c.operation}`] ?? 0) + c.calls;
    const total = Object.values(apiCalls).reduce((a, b) => a + b, 0);
    return { wallSeconds, cpuSeconds: run.cpuSeconds, apiCalls, requestsPerKey: total / keys };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
}

/** c7n-org's scan and remediation of `accounts` × 3 Regions × keys, half without rotation; null without c7n-org. */
export async function benchCustodian(accounts: number, keysPerAccount: number, latencyMs: number): Promise<CustodianBenchResult | null> {
  const command = custodianCommand();
  if (!command) return null;
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1'];
  const scenario = buildLargeScenario({ accounts, keysPerAccount, rotatingShare: 0.5, regions });
  const keys = accounts * keysPerAccount;
  return {
    command: command.join(' '),
    scan: await runCustodian(command, scenario, regions, keys, latencyMs, true),
    remediate: await runCustodian(command, scenario, regions, keys, latencyMs, false),
  };
}
