// The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into a
// scratch prefix, and `kms-rotor` / `rotor` run from an unrelated folder against the simulated
// organization, with nothing of this repository on the way.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { standardScenarioPath } from '../scenarios';

const REPO = join(__dirname, '..', '..');

let sim: SimulatedOrganization;
let scratch: string;
let bin: string;

interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A shell's environment without npm's own variables (those of the `npm test` running this) or AWS settings. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(npm_|AWS_)/i.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs to the end without blocking this process, whose simulator answers the command. */
function finished(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rotor-package-'));
  const packed = await finished('npm', ['pack', '--silent', '--pack-destination', scratch], REPO, userEnv());
  expect(packed.status).toBe(0);
  const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'))!;
  const prefix = join(scratch, 'prefix');
  // The dependencies come from npm's cache, which `npm ci` filled.
  const installed = await finished('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(scratch, tarball)], scratch, userEnv());
  expect(installed.status).toBe(0);
  bin = join(prefix, 'bin');
  sim = await startSimulator({ scenario: standardScenarioPath });
});
afterAll(async () => {
  await sim?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('the tarball holds the built command, the workflow and the demo scenario, not the sources', async () => {
  const listed = await finished('tar', ['tzf', readdirSync(scratch).find((name) => name.endsWith('.tgz'))!], scratch, userEnv());
  const files = listed.stdout.split('\n').filter(Boolean).sort();
  expect(files).toEqual(expect.arrayContaining(['package/dist/cli.js', 'package/dist/scenarios/demo.json', 'package/statemachine/rollout.asl.json', 'package/package.json']));
  expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
});

test('kms-rotor and rotor run from any folder: the version, and a local scan whose JSON report is all of stdout', async () => {
  const elsewhere = join(scratch, 'elsewhere');
  mkdirSync(elsewhere);
  const env = userEnv({ PATH: `${bin}${delimiter}${process.env.PATH}` });
  const { version } = jest.requireActual<{ version: string }>('../../package.json');
  expect(await finished('kms-rotor', ['--version'], elsewhere, env)).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  expect(await finished('rotor', ['-v'], elsewhere, env)).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });

  const simulated = {
    ...env,
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: sim.managementCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sim.managementCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  const scan = await finished('kms-rotor', ['run', '--local', '--mode', 'scan', '--output', 'json'], elsewhere, simulated);
  expect(scan.status).toBe(0);
  expect(JSON.parse(scan.stdout)).toMatchObject({ mode: 'scan', status: 'SUCCEEDED' });
  // The store is the working folder's, as for any command run there.
  expect(readdirSync(elsewhere)).toEqual(['.rotor']);
  const runs = await finished('rotor', ['runs', '--output', 'json'], elsewhere, simulated);
  expect(JSON.parse(runs.stdout)).toHaveLength(1);
});
