// The rotor command line run in-process for tests: its exit code and what it wrote to stdout and
// stderr, with process.exitCode left as it was found.
import { main } from '../../cli/bin';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export async function rotor(...args: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as never);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as never);
  try {
    process.exitCode = undefined;
    const code = await main(['node', 'rotor', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
  }
}
