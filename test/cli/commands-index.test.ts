// The command list the help shows without loading any command module (cli/commands/index.ts) says
// what the modules define, and a command line loads only the module of the command it names.
import { Help } from 'commander';
import { buildProgram, programFor } from '../../cli/bin';
import { COMMANDS } from '../../cli/commands/index';

const help = new Help();

test('every command the modules define is listed with its own term and summary, in the same order', async () => {
  const program = await buildProgram();
  const defined = program.commands.map((command) => ({ name: command.name(), term: help.subcommandTerm(command), summary: help.subcommandDescription(command) }));
  expect(COMMANDS.map(({ name, term, summary }) => ({ name, term, summary }))).toEqual(defined);
});

test('the top-level help is the same whether the modules are loaded or not', async () => {
  const full = await buildProgram();
  const lazy = await programFor(['--help']);
  expect(lazy.helpInformation()).toBe(full.helpInformation());
});

test.each([
  [['run', '--local'], 'run'],
  [['--version'], undefined],
  [['help', 'status'], 'status'],
  [['exceptions', 'list', '--output', 'json'], 'exceptions'],
])('%j defines only the command it names', async (args, name) => {
  const program = await programFor(args);
  const defined = program.commands.filter((command) => command.options.length > 0 || command.commands.length > 0).map((command) => command.name());
  // A module may define several commands (report.ts: report, runs and status); a stand-in has no option.
  const load = COMMANDS.find((entry) => entry.name === name)?.load;
  expect(defined.sort()).toEqual(COMMANDS.filter((entry) => entry.load === load).map((entry) => entry.name).sort());
});
