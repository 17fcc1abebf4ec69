// Serves the simulated organization until it is stopped, and tells how to point AWS clients at
// it: the body of `rotor simulate`.
import { startSimulator, type SimulatedOrganization, type SimulatorOptions } from './server';

export interface ServeOptions extends SimulatorOptions {
  /** Stops the simulator when aborted (besides SIGINT / SIGTERM). */
  signal?: AbortSignal;
  /** Called once the simulator listens (e.g. to drive it from the same process). */
  onReady?: (sim: SimulatedOrganization) => void;
  /** Region to suggest to clients (default the management account's first Region). */
  region?: string;
}

/** The lines that tell a user how to reach the simulator with any AWS client. */
export function connectionInstructions(sim: SimulatedOrganization, region?: string): string[] {
  const s = sim.scenario;
  const management = s.accounts.find((a) => a.id === s.managementAccountId)!;
  const suggested = region ?? management.regions[0];
  const keyCount = s.accounts.reduce((n, a) => n + a.keys.length, 0);
  const lines = [
    `Simulated AWS organization "${s.name}" (${s.accounts.length} accounts, ${keyCount} keys) on ${sim.endpoint}`,
    `Organizations, STS, EC2 DescribeRegions and KMS answer on this one endpoint. Point any AWS client at it:`,
    '',
    `  unset AWS_PROFILE AWS_SESSION_TOKEN`,
    `  export AWS_ENDPOINT_URL=${sim.endpoint} AWS_ACCESS_KEY_ID=${sim.managementCredentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${sim.managementCredentials.secretAccessKey} AWS_REGION=${suggested} AWS_DEFAULT_REGION=${suggested}`,
    `  aws kms list-keys`,
    `  aws organizations list-accounts`,
  ];
  const member = s.accounts.find((a) => a.id !== s.managementAccountId && a.roles.length > 0);
  if (member) {
    const role = member.roles[0];
    lines.push(`  aws sts assume-role --role-arn arn:aws:iam::${member.id}:role/${role.name} --role-session-name demo` +
      (role.externalId ? ` --external-id ${role.externalId}` : ''));
  }
  lines.push('', 'Accounts:');
  for (const a of s.accounts) {
    const roles = a.roles.length ? a.roles.map((r) => r.name + (r.externalId ? ` (ExternalId ${r.externalId})` : '')).join(', ') : 'no role';
    lines.push(`  ${a.id}  ${a.name.padEnd(20)} ${a.state.padEnd(8)} ${a.regions.join(',')}  keys: ${a.keys.length}  roles: ${roles}` +
      (a.id === s.managementAccountId ? '  [management]' : ''));
  }
  lines.push('', 'Press Ctrl+C to stop.');
  return lines;
}

/** Starts the simulator, prints how to use it, and resolves when it has been stopped. */
export async function serveSimulator(opts: ServeOptions, log: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const sim = await startSimulator(opts);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      opts.signal?.removeEventListener('abort', stop);
      void sim.close().then(resolve);
    };
    // Listening for the signals before saying how to connect: a script that stops the simulator as
    // soon as it has read the instructions must not find the default handler still in place.
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    for (const line of connectionInstructions(sim, opts.region)) log(line);
    opts.onReady?.(sim);
    if (opts.signal?.aborted) stop();
    else opts.signal?.addEventListener('abort', stop);
  });
  log('Simulated organization stopped.');
}
