// The README's "Try it" commands, run as written, in a scratch folder, with `rotor` the built
// command: the demo block, then the simulator block with the exports `rotor simulate` prints
// pasted into the shell that runs the rest. (`npm ci` is what CI runs; `npm install -g` of the
// package is test/cli/package.test.ts.)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildCli, CLI, finished, REPO, rotorScript, userEnv } from '../support/built-command';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The shell blocks of the "Try it" section, each as its command lines (comments dropped). */
function tryItBlocks(): string[][] {
  const section = README.slice(README.indexOf('## Try it'), README.indexOf('## Use it on AWS'));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    m[1].split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter((line) => line && !line.startsWith('#')),
  );
}

let work: string;

/** A user's shell, at home in the scratch folder. */
const workEnv = () => userEnv({ HOME: work });

/** One line as a user's shell runs it, `rotor` being the built command. */
const sh = (line: string, prelude = '') => finished('bash', ['-c', rotorScript(`${prelude}\n${line}`)], work, workEnv());

beforeAll(() => {
  buildCli();
  work = mkdtempSync(join(tmpdir(), 'rotor-readme-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the demo block', async () => {
  const [demo] = tryItBlocks();
  expect(demo.slice(0, 3)).toEqual(['npm ci', 'npm start', 'npm install -g .']);
  // npm start is the demo, built afresh.
  expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts.start).toBe('node cli/build.mjs && exec node dist/cli.js demo');
  for (const line of ['rotor demo', ...demo.slice(3)]) {
    const result = await sh(line);
    expect({ line, status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ line, status: 0, stderr: '' });
  }
  expect(existsSync(join(work, '.rotor', 'demo', 'demo-report.html'))).toBe(true);
  expect(readFileSync(join(work, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
});

test('npx rotor works inside the clone', async () => {
  const result = await new Promise<string>((resolve, reject) => {
    const child = spawn('npx', ['--no-install', 'rotor', '--version'], { cwd: REPO, env: workEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(stdout));
  });
  expect(result.trim()).toMatch(/^\d+\.\d+\.\d+$/);
});

test('the simulator block: the exports it prints, then the commands in another shell', async () => {
  const [, simulator] = tryItBlocks();
  expect(simulator[0]).toBe('rotor simulate');
  const server = spawn(process.execPath, [CLI, 'simulate'], { cwd: work, env: workEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let printed = '';
    await new Promise<void>((resolve) => {
      server.stdout.on('data', (c: Buffer) => {
        printed += c.toString();
        if (printed.includes('Press Ctrl+C')) resolve();
      });
    });
    const pasted = printed.split('\n').filter((line) => /^\s*(unset|export) /.test(line)).join('\n');
    expect(pasted).toMatch(/AWS_DEFAULT_REGION=/);
    for (const line of simulator.slice(1)) {
      // The AWS CLI is Python's; where a machine has none, that line is the only one not run.
      if (line.startsWith('aws ') && (await sh('command -v aws')).status !== 0) continue;
      const result = await sh(line, pasted);
      expect({ line, status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ line, status: 0, stderr: '' });
    }
    expect(JSON.parse(readFileSync(join(work, 'findings.json'), 'utf8'))).toMatchObject({ mode: 'scan', status: 'SUCCEEDED' });
  } finally {
    server.kill('SIGTERM');
  }
});
