// The simulated AWS organization: a stand-in for Organizations, STS, EC2 and KMS on loopback that
// the real AWS SDK clients talk to unchanged. It imports nothing of the product.
import { join } from 'node:path';

export { startSimulator, parseCredentialScope } from './server';
export type {
  SimulatorOptions, SimulatedOrganization, CallCount, CallFilter, KeyCallCount, KeyView, AccountView, SessionView, ServiceName,
} from './server';
export { serveSimulator, connectionInstructions } from './serve';
export type { ServeOptions } from './serve';
export { loadScenario, normalizeScenario, ScenarioError, KEY_KINDS } from './scenario';
export type {
  Scenario, ScenarioInput, ScenarioAccount, ScenarioKey, ScenarioRole, ScenarioOrganizationalUnit, AccountInput, KeyInput,
  KeyKind, KeyState, KeySpec, KeyUsage, Origin, KeyManager, AccountState, RoleInput,
} from './scenario';
export type { Fault } from './faults';
export { DEFAULT_QUOTAS } from './throttle';
export { buildLargeScenario } from './generate';
export type { LargeScenarioOptions } from './generate';
export { DEFAULT_REGIONS, OPT_IN_REGIONS } from './regions';

/** The built-in demo organization (what `rotor demo` and `rotor simulate` use by default). */
export const demoScenarioPath: string = join(__dirname, 'scenarios', 'demo.json');
