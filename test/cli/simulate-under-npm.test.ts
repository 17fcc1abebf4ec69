// `npm run rotor -- simulate` stops cleanly however it is stopped: SIGINT or SIGTERM sent to npm
// reach the simulator (the script execs node, so npm's forwarded signal lands on it), and if npm
// itself is killed the simulator notices it is orphaned and stops: nothing stays listening.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { userEnv } from '../support/built-command';

const REPO = join(__dirname, '..', '..');

interface Served {
  npm: ChildProcess;
  port: number;
  output: () => string;
}

async function serveUnderNpm(): Promise<Served> {
  const npm = spawn('npm', ['run', '--silent', 'rotor', '--', 'simulate'], { cwd: REPO, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  npm.stderr!.on('data', (c: Buffer) => (printed += c.toString()));
  await new Promise<void>((resolve, reject) => {
    npm.on('exit', () => reject(new Error(`npm ended before the simulator was ready:\n${printed}`)));
    npm.stdout!.on('data', (c: Buffer) => {
      printed += c.toString();
      if (printed.includes('Press Ctrl+C')) resolve();
    });
  });
  const port = Number(/AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:(\d+)/.exec(printed)?.[1]);
  expect(port).toBeGreaterThan(0);
  return { npm, port, output: () => printed };
}

/** Whether anything accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function eventually(check: () => Promise<boolean>, tries = 80): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test.each(['SIGINT', 'SIGTERM'] as const)('%s sent to npm stops the simulator: it says so and stops listening', async (signal) => {
  const served = await serveUnderNpm();
  expect(await listening(served.port)).toBe(true);
  const ended = new Promise<void>((resolve) => served.npm.on('close', () => resolve()));
  served.npm.kill(signal);
  await ended;
  expect(await eventually(async () => !(await listening(served.port)))).toBe(true);
  expect(served.output()).toContain('Simulated organization stopped.');
});

test('npm killed outright (SIGKILL): the orphaned simulator notices and stops listening', async () => {
  const served = await serveUnderNpm();
  served.npm.kill('SIGKILL');
  expect(await eventually(async () => !(await listening(served.port)))).toBe(true);
});
