// The built command (dist/cli.js) for the tests that run it as a user would: the build `npm ci`
// runs, a child process run to its end, a user's shell environment, and a shell script in which
// `rotor` is the built command.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli.js');

/** Builds dist/cli.js as `npm ci` does. */
export function buildCli(): void {
  execFileSync(process.execPath, [join(REPO, 'cli', 'build.mjs')]);
}

export interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A child process run to its end; asynchronous, so a simulator in this process keeps answering it. */
export function finished(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeoutMs?: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A user's shell environment: none of npm's variables (those of the `npm test` running this) nor AWS settings. */
export function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !/^(npm_|AWS_)/i.test(name)) env[name] = value;
  return { ...env, ...extra };
}

/** A bash script (for `bash -c`) with pipefail, -e unless `errexit` is false, and `rotor` the built command. */
export function rotorScript(script: string, errexit = true): string {
  return `set -${errexit ? 'e' : ''}o pipefail; rotor() { node ${JSON.stringify(CLI)} "$@"; }; ${script}`;
}
