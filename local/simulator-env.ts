// Points the AWS SDK at the simulated organization the way a user would: through the SDK's own
// environment variables (AWS_ENDPOINT_URL and the management account's keys). Returns a function
// that puts the environment back as it was. Also the environment of a child process that gets AWS
// settings of its own only.
import type { SimulatedOrganization } from './sim';

/** This process's environment without its AWS settings (AWS_*), plus `extra`: for a child that must see only those. */
export function envWithoutAws(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('AWS_')) env[name] = value;
  return { ...env, ...extra };
}

export function useSimulatorEnv(sim: Pick<SimulatedOrganization, 'endpoint' | 'managementCredentials'>, extra: Record<string, string> = {}): () => void {
  const saved = { ...process.env };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_DYNAMODB']) delete process.env[name];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: sim.managementCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sim.managementCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    ...extra,
  });
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}
