// `rotor completion bash|zsh`: prints the shell completion script of every command and option.
import { Argument, Command } from 'commander';
import { COMPLETION_SHELLS, completionScript, type CompletionShell } from '../completion';
import type { CommandEntry, RegisterCommands } from './command-entry';

/** The command, given the command list (it loads every command to complete their options). */
export function completionCommand(commands: readonly CommandEntry[]): RegisterCommands {
  return (program) => {
    program
      .command('completion')
      .description('Print the shell completion script (bash or zsh)')
      .addArgument(new Argument('<shell>', COMPLETION_SHELLS.join(' or ')).choices(COMPLETION_SHELLS))
      .addHelpText('after', '\nbash: source <(rotor completion bash)   (or save it as ~/.local/share/bash-completion/completions/rotor)\nzsh:  source <(rotor completion zsh)    (in ~/.zshrc)')
      .action(async (shell: string) => {
        const full = new Command('rotor').option('-v, --version', 'print the version');
        for (const load of new Set(commands.map((entry) => entry.load))) (await load())(full);
        process.stdout.write(completionScript(shell as CompletionShell, full));
      });
  };
}
