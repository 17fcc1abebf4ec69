// `kms-rotor` (short name `rotor`), the command line of kms-rotor: each command lives in
// cli/commands/, and only the module of the command being run is loaded (commands/index.ts lists
// them for the help). This file wires them, applies the AWS options, and turns errors into exit
// codes (2 bad usage or input, 1 a run that failed or halted, 3 findings). cli/build.mjs bundles it into
// dist/cli.js, the installed command.
import '../local/node-compat';
import { Command, CommanderError, Help, Option } from 'commander';
import { version } from '../package.json';
import { applyAwsOptions, preserveAwsEnvironment } from './aws-options';
import { COMMANDS, type CommandEntry } from './commands/index';
import { EXIT_CODES_HELP, exitCodeOf } from './errors';
import { resetChattiness } from './progress';

function baseProgram(): Command {
  const program = new Command('rotor')
    .description('kms-rotor: automatic rotation for every customer-managed KMS key across an AWS Organization, and the proof')
    .version(version, '-v, --version', 'print the version')
    // -V too: commander's default spelling, which earlier releases had.
    .addOption(new Option('-V').hideHelp())
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.startsWith('error:') ? `rotor: ${text}` : text) });
  program.on('option:V', () => {
    process.stdout.write(`${version}\n`);
    throw new CommanderError(0, 'commander.version', version);
  });
  // --profile and --region reach the SDK before the command's action creates any client.
  program.hook('preAction', (_program, actionCommand) => applyAwsOptions(actionCommand));
  return program;
}

function finish(program: Command): Command {
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** The command a command line names (`rotor help X` names X); the top level takes no option values. */
function commandNamed(args: readonly string[]): CommandEntry | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((entry) => entry.name === name);
}

/**
 * The program for one command line: the named command's module is loaded and defines it fully;
 * every other command is a stand-in that only lists itself in the help.
 */
export async function programFor(args: readonly string[]): Promise<Command> {
  const program = baseProgram();
  const wanted = commandNamed(args);
  if (wanted) (await wanted.load())(program);
  const standInTerms = new Map<Command, string>();
  for (const entry of COMMANDS) {
    if (program.commands.some((command) => command.name() === entry.name)) continue;
    const standIn = new Command(entry.name).summary(entry.summary);
    standInTerms.set(standIn, entry.term);
    program.addCommand(standIn);
  }
  // The help lists the commands in COMMANDS' order, whichever was loaded.
  const position = (command: Command) => COMMANDS.findIndex((entry) => entry.name === command.name());
  (program.commands as Command[]).sort((a, b) => position(a) - position(b));
  const help = new Help();
  program.configureHelp({ subcommandTerm: (command) => standInTerms.get(command) ?? help.subcommandTerm(command) });
  return finish(program);
}

/** Every command, every module loaded (for tests that compare them with COMMANDS). */
export async function buildProgram(): Promise<Command> {
  const program = baseProgram();
  const loaders = [...new Set(COMMANDS.map((entry) => entry.load))];
  for (const load of loaders) (await load())(program);
  return finish(program);
}

export async function main(argv: string[]): Promise<number> {
  resetChattiness();
  const restoreAwsEnvironment = preserveAwsEnvironment();
  try {
    await (await programFor(argv.slice(2))).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end "successfully"; anything else commander rejects is bad usage.
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`rotor: ${(error as Error).message}\n`);
    if (process.env.ROTOR_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return exitCodeOf(error);
  } finally {
    restoreAwsEnvironment();
  }
}

/**
 * A reader that stops early (`rotor drift | head`) closes the pipe: the output it wanted was
 * written, so the command ends quietly (exit 0) instead of dying on EPIPE with a stack trace.
 */
function endQuietlyWhenTheReaderLeaves(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
  }
}

if (require.main === module) {
  endQuietlyWhenTheReaderLeaves();
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
