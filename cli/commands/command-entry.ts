// What the command list (commands/index.ts) holds for each command, apart from the list itself, so
// a command module that needs the list's types (completion) does not import the list's module.
import type { Command } from 'commander';

export type RegisterCommands = (program: Command) => void;

export interface CommandEntry {
  name: string;
  /** How the help's command list shows it (commander's subcommand term of the real command). */
  term: string;
  summary: string;
  /** Registers this command, and any other command its module defines, on the program. */
  load(): Promise<RegisterCommands>;
}
