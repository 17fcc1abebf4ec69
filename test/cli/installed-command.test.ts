// The command as installed: dist/cli.js (built here as `npm ci` builds it) in a child process, run
// from another folder against the simulated organization. Stdout carries only the output asked
// for, a reader that stops early ends it quietly, the SDK's Node-version notice stays out, and
// --profile/--region come from an AWS config file as the AWS CLI reads them.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { standardScenarioPath } from '../scenarios';
import { buildCli, CLI, finished, rotorScript, userEnv } from '../support/built-command';

let sim: SimulatedOrganization;
let work: string;

/** The environment of a shell with no AWS settings of its own, at home in the working folder. */
const cleanEnv = (extra: Record<string, string> = {}) => userEnv({ HOME: work, ...extra });

function simulatorEnv(): Record<string, string> {
  return cleanEnv({
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: sim.managementCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sim.managementCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  });
}

const rotor = (args: string[], env = cleanEnv()) => finished(process.execPath, [CLI, ...args], work, env);

/** A shell pipeline from the working folder, with `rotor` meaning the built command. */
const shell = (script: string, env = cleanEnv()) => finished('bash', ['-c', rotorScript(script, false)], work, env);

beforeAll(async () => {
  buildCli();
  sim = await startSimulator({ scenario: standardScenarioPath });
  work = mkdtempSync(join(tmpdir(), 'rotor-installed-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(work, { recursive: true, force: true });
});

test('--help and the version: stdout only, nothing on stderr', async () => {
  const help = await rotor(['--help']);
  expect(help).toMatchObject({ status: 0, stderr: '' });
  expect(help.stdout).toMatch(/^Usage: rotor /);
  for (const flag of ['-v', '-V', '--version']) expect(await rotor([flag])).toMatchObject({ status: 0, stdout: `${require('../../package.json').version}\n`, stderr: '' });
});

test('a reader that stops early ends the command quietly: no EPIPE, exit 0', async () => {
  const help = await shell('rotor --help | head -1');
  expect(help).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: rotor /), stderr: '' });
  const dataDir = join(work, 'piped');
  expect((await shell(`rotor run --local --quiet --exit-zero --data-dir ${dataDir} >/dev/null && rotor run --local --quiet --exit-zero --data-dir ${dataDir} >/dev/null`, simulatorEnv())).status).toBe(0);
  for (const command of ['drift', 'report --latest', 'history alias/core-db --output json']) {
    const piped = await shell(`rotor ${command} --data-dir ${dataDir} | head -1`, simulatorEnv());
    expect(piped).toMatchObject({ status: 0, stderr: '' });
    expect(piped.stdout.split('\n').filter(Boolean)).toHaveLength(1);
  }
});

test('a local scan: the JSON report alone on stdout (jq-ready), no Node-version notice from the SDK', async () => {
  const result = await rotor(['run', '--local', '--mode', 'scan', '--output', 'json', '--exit-zero', '--data-dir', join(work, 'scan')], simulatorEnv());
  expect(result.status).toBe(0);
  expect(JSON.parse(result.stdout)).toMatchObject({ mode: 'scan', status: 'SUCCEEDED' });
  expect(result.stderr).toMatch(/accounts scanned/);
  expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|DeprecationWarning|\(node:\d+\)/);
});

test('--profile and --region come from the AWS config file, as for the AWS CLI; --region overrides the profile', async () => {
  const config = join(work, 'aws-config');
  writeFileSync(
    config,
    [
      '[profile rotor-sim]',
      'region = eu-west-1',
      `endpoint_url = ${sim.endpoint}`,
      `aws_access_key_id = ${sim.managementCredentials.accessKeyId}`,
      `aws_secret_access_key = ${sim.managementCredentials.secretAccessKey}`,
      '',
    ].join('\n'),
  );
  const env = cleanEnv({ AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials') });
  const withoutProfile = await rotor(['run', '--local', '--data-dir', join(work, 'none')], env);
  expect(withoutProfile.status).toBe(2);
  expect(withoutProfile.stderr).toMatch(/no AWS credentials/);

  // The first call, the caller's identity, is signed for the Region the SDK is configured for.
  const callerRegions = async (args: string[]) => {
    sim.resetCallCounts();
    const scan = await rotor(['run', '--local', '--profile', 'rotor-sim', '--output', 'json', '--quiet', '--exit-zero', '--data-dir', join(work, 'profile'), ...args], env);
    expect(scan).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(scan.stdout).status).toBe('SUCCEEDED');
    return [...new Set(sim.callCounts({ operation: 'GetCallerIdentity' }).map((c) => c.region))];
  };
  expect(await callerRegions([])).toEqual(['eu-west-1']);
  expect(await callerRegions(['--region', 'ap-southeast-2'])).toEqual(['ap-southeast-2']);
});

test('simulate prints exports with AWS_DEFAULT_REGION (the AWS CLI v1 reads only that) and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [CLI, 'simulate', '--scenario', standardScenarioPath], { cwd: work, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Press Ctrl+C')) resolve();
    });
  });
  const exports = stdout.split('\n').find((line) => line.trim().startsWith('export '))!;
  expect(exports).toMatch(/ AWS_REGION=(\S+) AWS_DEFAULT_REGION=\1$/);
  const endpoint = /AWS_ENDPOINT_URL=(\S+)/.exec(exports)![1];
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
  await expect(fetch(endpoint)).rejects.toThrow();
});
