// `rotor`, the command line of kms-rotor (`npm run rotor -- <command>`): each command lives in
// cli/commands/; this file wires them and turns errors into exit codes (2 bad usage or input, 1 a
// run that failed or halted).
import '../local/node-compat';
import { Command, CommanderError } from 'commander';
import { registerCheckTemplate } from './commands/check-template';
import { registerDemo } from './commands/demo';
import { registerDrift } from './commands/drift';
import { registerExceptions } from './commands/exceptions';
import { registerHistory } from './commands/history';
import { registerReport } from './commands/report';
import { registerRun } from './commands/run';
import { registerSimulate } from './commands/simulate';
import { exitCodeOf } from './errors';

export function buildProgram(): Command {
  const program = new Command('rotor')
    .description('kms-rotor: automatic rotation for every customer-managed KMS key across an AWS Organization, and the proof')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.startsWith('error:') ? `rotor: ${text}` : text) });
  registerRun(program);
  registerReport(program);
  registerDrift(program);
  registerExceptions(program);
  registerHistory(program);
  registerCheckTemplate(program);
  registerDemo(program);
  registerSimulate(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end "successfully"; anything else commander rejects is bad usage.
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`rotor: ${(error as Error).message}\n`);
    if (process.env.ROTOR_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return exitCodeOf(error);
  }
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
