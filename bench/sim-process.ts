// The simulated organization in a process of its own, as a real AWS would be: the scan benchmark
// measures the rotor process's memory without the simulator's keys in it, and sums both
// processes' CPU (the child reports its own process.cpuUsage over IPC). Run as a child by
// startSimulatorProcess; the parent never imports the simulator.
import { fork, type ChildProcess } from 'node:child_process';
import type { CallCount, SimulatorOptions } from '../local/sim';
import type { LargeScenarioOptions } from '../local/sim/generate';

export interface SimulatorProcessOptions extends Omit<SimulatorOptions, 'scenario'> {
  scenario: LargeScenarioOptions;
}

/** What the parent sees of the simulator in the child process. */
export interface SimulatorProcess {
  endpoint: string;
  managementCredentials: { accessKeyId: string; secretAccessKey: string };
  pid: number;
  callCounts(): Promise<CallCount[]>;
  /** The child's own CPU time so far (process.cpuUsage in the child), in microseconds. */
  cpuUsage(): Promise<NodeJS.CpuUsage>;
  close(): Promise<void>;
}

type Request = { id: number; ask: 'callCounts' | 'cpuUsage' | 'close' };
type Ready = { ready: true; endpoint: string; managementCredentials: SimulatorProcess['managementCredentials'] };
type Reply = { id: number; value: unknown };

/** Forks this file with the options; resolves once the simulator listens. */
export async function startSimulatorProcess(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
  // The child runs this TypeScript file through tsx's loader, whether the parent has it (the bench) or not (jest).
  const child: ChildProcess = fork(__filename, [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (value: unknown) => void>();
  let next = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the simulator process exited (${code}) before it listened`)));
    child.on('message', (message: Ready | Reply) => {
      if ('ready' in message) resolve(message);
      else pending.get(message.id)?.(message.value), pending.delete(message.id);
    });
  });
  const ask = <T>(what: Request['ask']) =>
    new Promise<T>((resolve) => {
      const id = next++;
      pending.set(id, resolve as (value: unknown) => void);
      child.send({ id, ask: what } satisfies Request);
    });
  return {
    endpoint: ready.endpoint,
    managementCredentials: ready.managementCredentials,
    pid: child.pid!,
    callCounts: () => ask<CallCount[]>('callCounts'),
    cpuUsage: () => ask<NodeJS.CpuUsage>('cpuUsage'),
    close: async () => {
      await ask('close');
      await exited;
    },
  };
}

async function serveInChild(): Promise<void> {
  const { buildLargeScenario, startSimulator } = await import('../local/sim');
  const options = JSON.parse(process.argv[2]) as SimulatorProcessOptions;
  const sim = await startSimulator({ ...options, scenario: buildLargeScenario(options.scenario) });
  process.on('message', async (request: Request) => {
    if (request.ask === 'close') await sim.close();
    const value = request.ask === 'callCounts' ? sim.callCounts() : request.ask === 'cpuUsage' ? process.cpuUsage() : null;
    process.send!({ id: request.id, value } satisfies Reply, () => request.ask === 'close' && process.disconnect());
  });
  process.send!({ ready: true, endpoint: sim.endpoint, managementCredentials: sim.managementCredentials } satisfies Ready);
}

if (require.main === module && process.send) {
  serveInChild().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
