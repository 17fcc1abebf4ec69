// `rotor simulate`: serves the simulated organization on loopback until stopped, so any AWS
// client (the AWS CLI, boto3, `rotor run --local`) can be pointed at it.
import { Command } from 'commander';
import { demoScenarioPath, serveSimulator } from '../../local/sim';
import { UsageError } from '../errors';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('Serve the simulated AWS organization (Organizations, STS, EC2 DescribeRegions, KMS) on 127.0.0.1 until Ctrl-C')
    .option('--scenario <file>', 'scenario JSON (default: the built-in demo organization)')
    .option('--port <n>', 'port to listen on (default: any free port)')
    .option('--latency-ms <n>', 'delay every answer by N ms')
    .option('--throttle-fraction <f>', 'answer this fraction (0–1) of KMS calls with ThrottlingException')
    .addHelpText('after', '\nThen, in another shell, paste the exports it prints and run e.g.\n  rotor run --local --mode scan\n  aws kms list-keys')
    .action(async (options: { scenario?: string; port?: string; latencyMs?: string; throttleFraction?: string }) => {
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new UsageError(`--port: "${options.port}" is not a port number`);
      const latencyMs = options.latencyMs === undefined ? undefined : Number(options.latencyMs);
      if (latencyMs !== undefined && !(latencyMs >= 0)) throw new UsageError(`--latency-ms: "${options.latencyMs}" is not a number of milliseconds`);
      const throttleFraction = options.throttleFraction === undefined ? undefined : Number(options.throttleFraction);
      if (throttleFraction !== undefined && !(throttleFraction >= 0 && throttleFraction <= 1)) {
        throw new UsageError(`--throttle-fraction: "${options.throttleFraction}" is not between 0 and 1`);
      }
      const orphaned = stopWhenOrphaned();
      try {
        await serveSimulator({ scenario: options.scenario ?? demoScenarioPath, port, latencyMs, throttleFraction, signal: orphaned.signal }, (line) => process.stdout.write(`${line}\n`));
      } catch (error) {
        const e = error as Error & { code?: string };
        if (e.name === 'ScenarioError' || e.code === 'ENOENT') throw new UsageError(`--scenario: ${e.message}`);
        if (e.code === 'EADDRINUSE') throw new UsageError(`--port: ${port} is in use`);
        throw error;
      } finally {
        orphaned.done();
      }
    });
}

/**
 * Stops the simulator when the process that started it goes away (`npm run` killed, a terminal
 * closed): it must not stay orphaned and listening. A parent gone shows as a new parent pid.
 */
function stopWhenOrphaned(): { signal: AbortSignal; done(): void } {
  const stop = new AbortController();
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) stop.abort();
  }, 250);
  watch.unref();
  return { signal: stop.signal, done: () => clearInterval(watch) };
}
