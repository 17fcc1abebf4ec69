// `--priority-tag` keys named like Object properties are refused before any AWS call, through the
// CLI on the simulator: as plain-object keys they would be dropped (`__proto__`) or make the run
// record unstorable (`constructor`), after the run had started.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { useSimulatorEnv } from '../../local/simulator-env';
import { standardScenarioPath } from '../scenarios';
import { rotor } from '../support/rotor-cli';

let sim: SimulatedOrganization;
let dir: string;
let restoreEnv: () => void;

beforeAll(async () => {
  sim = await startSimulator({ scenario: standardScenarioPath });
  restoreEnv = useSimulatorEnv(sim);
  dir = mkdtempSync(join(tmpdir(), 'rotor-tags-'));
});
afterAll(async () => {
  restoreEnv();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('--priority-tag %s=x: exit 2 naming the flag, no AWS call, no store', async (tagKey) => {
  sim.resetCallCounts();
  const result = await rotor('run', '--local', '--mode', 'remediate', '--priority-tag', 'environment=production', '--priority-tag', `${tagKey}=x`, '--data-dir', dir);
  expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(new RegExp(`^rotor: --priority-tag: cannot be "${tagKey}"`)) });
  expect(sim.totalCalls()).toBe(0);
  expect(readdirSync(dir)).toEqual([]);
});
