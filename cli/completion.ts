// Shell completion scripts for bash and zsh, written from the command tree commander defines, so
// a new command or option completes without editing this file. Pure: tree in, script out.
import type { Command, Option } from 'commander';

export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** What completes after a command path: its subcommands, its flags, and the values of flags that list choices. */
export interface CompletionNode {
  path: string;
  words: string[];
  choices: Record<string, string[]>;
}

function flagsOf(option: Option): string[] {
  return [option.short, option.long].filter((flag): flag is string => Boolean(flag));
}

/** Every command path of the program (the top level is ""), with what completes there. */
export function completionNodes(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (command: Command, path: string) => {
    const options = command.options.filter((option) => !option.hidden);
    const choices: Record<string, string[]> = {};
    for (const option of options) if (option.argChoices) for (const flag of flagsOf(option)) choices[flag] = [...option.argChoices];
    const subcommands = command.commands.filter((sub) => !(sub as Command & { _hidden?: boolean })._hidden);
    const argumentChoices = command.registeredArguments.flatMap((argument) => argument.argChoices ?? []);
    const words = [...subcommands.map((sub) => sub.name()), ...argumentChoices, ...options.flatMap(flagsOf), '--help'];
    nodes.push({ path, words: [...new Set(words)], choices });
    for (const sub of subcommands) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, '');
  return nodes;
}

const quote = (words: readonly string[]) => `'${words.join(' ').replace(/'/g, `'\\''`)}'`;

function bashFunction(nodes: readonly CompletionNode[]): string {
  const paths = nodes.map((node) => `    ${quote([node.path])}) words=${quote(node.words)} ;;`);
  const values = nodes.flatMap((node) => Object.entries(node.choices).map(([flag, list]) => `    ${quote([`${node.path}|${flag}`])}) words=${quote(list)} ;;`));
  const commandPaths = nodes.map((node) => node.path).filter(Boolean);
  return `_rotor_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" word i
  # The command path so far: the words that name (sub)commands, skipping flags and their values.
  local known=${quote(['|' + commandPaths.join('|') + '|'])}
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    [[ "$known" == *"|\${path:+$path }$word|"* ]] && path="\${path:+$path }$word"
  done
  local words=""
  case "$path|$prev" in
${values.join('\n')}
  esac
  if [[ -z "$words" ]]; then
    case "$path" in
${paths.join('\n')}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _rotor_complete rotor kms-rotor`;
}

/** The completion script for a shell: source it, or save it where the shell loads completions from. */
export function completionScript(shell: CompletionShell, program: Command): string {
  const body = bashFunction(completionNodes(program));
  if (shell === 'bash') return `# rotor completion for bash: source <(rotor completion bash), or save it in ~/.local/share/bash-completion/completions/rotor\n${body}\n`;
  // zsh runs bash completion functions through bashcompinit, which ships with zsh.
  return `#compdef rotor kms-rotor\n# rotor completion for zsh: source <(rotor completion zsh) in ~/.zshrc\nautoload -U +X bashcompinit && bashcompinit\n${body}\n`;
}
