// Start-up benchmark: the built command (dist/cli.js, as installed) from spawn to the end of
// `rotor --help`, and from spawn to its first AWS request, which a loopback endpoint set as
// AWS_ENDPOINT_URL receives (`rotor runs --table … --bucket …` asks DynamoDB first). Median of a few launches
// each; figures are printed, never asserted.
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { envWithoutAws } from '../local/simulator-env';

const REPO = join(__dirname, '..');
const CLI = join(REPO, 'dist', 'cli.js');

export interface StartupFigures {
  /** Median seconds from spawn to exit of `rotor --help`. */
  helpSeconds: number;
  /** Median seconds from spawn to the first request at the AWS endpoint. */
  firstAwsCallSeconds: number;
  /** What that first request asked for (X-Amz-Target), so the figure is known to be an AWS call. */
  firstAwsCall: string;
  launches: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Seconds from spawn until the child exits. */
function untilExit(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`rotor ${args.join(' ')} exited ${code}`))));
  });
}

/** Seconds from spawn until the endpoint's first request, and that request's target; the command is then ended. */
async function untilFirstRequest(args: string[]): Promise<{ seconds: number; target: string }> {
  let first: ((request: IncomingMessage) => void) | undefined;
  const server = createServer((request, response) => {
    first?.(request);
    first = undefined;
    // An answer the command treats as a failure of the call: it exits on its own.
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'benchmark endpoint' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = envWithoutAws({
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: 'AKIDSTARTUPBENCH',
    AWS_SECRET_ACCESS_KEY: 'startup-bench',
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
  });
  try {
    const arrived = new Promise<IncomingMessage>((resolve) => (first = resolve));
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const request = await Promise.race([arrived, exited.then(() => Promise.reject(new Error(`rotor ${args.join(' ')} exited before any AWS call`)))]);
    const seconds = (performance.now() - started) / 1000;
    await exited;
    return { seconds, target: String(request.headers['x-amz-target'] ?? `${request.method} ${request.url}`) };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

export async function benchStartup(launches = 5): Promise<StartupFigures> {
  execFileSync(process.execPath, [join(REPO, 'cli', 'build.mjs')]);
  const help: number[] = [];
  const firstCall: number[] = [];
  let firstAwsCall = '';
  for (let i = 0; i < launches; i++) {
    help.push(await untilExit(['--help'], envWithoutAws()));
    const { seconds, target } = await untilFirstRequest(['runs', '--table', 'kms-rotor-startup-bench', '--bucket', 'kms-rotor-startup-bench']);
    firstCall.push(seconds);
    firstAwsCall = target;
  }
  return { helpSeconds: median(help), firstAwsCallSeconds: median(firstCall), firstAwsCall, launches };
}

export async function main(args: string[] = []): Promise<StartupFigures> {
  const figures = await benchStartup(args.includes('--quick') ? 3 : 5);
  console.log(`start-up of the built command (median of ${figures.launches} launches)`);
  console.log(`  rotor --help: ${figures.helpSeconds.toFixed(2)} s to exit`);
  console.log(`  rotor runs --table …: ${figures.firstAwsCallSeconds.toFixed(2)} s to the first AWS call (${figures.firstAwsCall})`);
  return figures;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
