// The rotor command line run in-process for tests: its exit code and what it wrote to stdout and
// stderr, with process.exitCode left as it was found; and the simulated organization a CLI suite
// runs it against.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/bin';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { useSimulatorEnv } from '../../local/simulator-env';
import { standardScenarioPath } from '../scenarios';

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

/** What a CLI suite runs against; each part is there from the suite's beforeAll on. */
export interface CliSuite {
  sim: SimulatedOrganization;
  /** A scratch folder (a --data-dir, an --out): one for the suite, or a fresh one per test. */
  dir: string;
}

/**
 * The hooks the CLI suites share, registered before the suite's own: the standard simulated
 * organization started once with this process's SDK pointed at it, a scratch folder named
 * `dirPrefix…` (fresh for every test with `freshDirEach`), and everything closed and removed after.
 */
export function useCliSuite(dirPrefix: string, options: { freshDirEach?: boolean } = {}): CliSuite {
  const suite = {} as CliSuite;
  let restoreEnv: (() => void) | undefined;
  const scratch = () => mkdtempSync(join(tmpdir(), dirPrefix));
  beforeAll(async () => {
    suite.sim = await startSimulator({ scenario: standardScenarioPath });
    restoreEnv = useSimulatorEnv(suite.sim);
    if (!options.freshDirEach) suite.dir = scratch();
  });
  if (options.freshDirEach) {
    beforeEach(() => {
      suite.dir = scratch();
    });
    afterEach(() => rmSync(suite.dir, { recursive: true, force: true }));
  }
  afterAll(async () => {
    restoreEnv?.();
    await suite.sim?.close();
    if (!options.freshDirEach && suite.dir) rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}
