// `--priority-tag` keys named like Object properties are refused before any AWS call, through the
// CLI on the simulator: as plain-object keys they would be dropped (`__proto__`) or make the run
// record unstorable (`constructor`), after the run had started.
import { readdirSync } from 'node:fs';
import { rotor, useCliSuite } from '../support/rotor-cli';

const suite = useCliSuite('rotor-tags-');

it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('--priority-tag %s=x: exit 2 naming the flag, no AWS call, no store', async (tagKey) => {
  suite.sim.resetCallCounts();
  const result = await rotor('run', '--local', '--mode', 'remediate', '--priority-tag', 'environment=production', '--priority-tag', `${tagKey}=x`, '--data-dir', suite.dir);
  expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(new RegExp(`^rotor: --priority-tag: cannot be "${tagKey}"`)) });
  expect(suite.sim.totalCalls()).toBe(0);
  expect(readdirSync(suite.dir)).toEqual([]);
});
