// The completion scripts are written from the program's own command tree: every command, every
// subcommand and every visible option completes, and option choices complete as values, in bash.
import { spawnSync } from 'node:child_process';
import { buildProgram } from '../../cli/bin';
import { COMMANDS } from '../../cli/commands/index';
import { completionNodes, completionScript } from '../../cli/completion';

/** What bash completes for a command line whose last word is being typed. */
function bashCompletes(script: string, words: string[]): string[] {
  const call = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _rotor_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = spawnSync('bash', ['-c', call], { encoding: 'utf8' });
  expect(out.stderr).toBe('');
  return out.stdout.split('\n').filter(Boolean);
}

test('every command and every visible option of each is in the tree the scripts are written from', async () => {
  const program = await buildProgram();
  const nodes = new Map(completionNodes(program).map((node) => [node.path, node]));
  expect(nodes.get('')!.words).toEqual(expect.arrayContaining(COMMANDS.map((entry) => entry.name)));
  for (const command of program.commands) {
    const flags = command.options.filter((o) => !o.hidden).map((o) => o.long!);
    expect(nodes.get(command.name())!.words).toEqual(expect.arrayContaining(flags));
  }
});

test('bash completes commands, subcommands, flags and flag values', async () => {
  const script = completionScript('bash', await buildProgram());
  expect(bashCompletes(script, ['rotor', 'dr'])).toEqual(['drift']);
  expect(bashCompletes(script, ['rotor', 'exceptions', ''])).toEqual(expect.arrayContaining(['add', 'list', 'remove']));
  expect(bashCompletes(script, ['rotor', 'exceptions', 'list', '--output', ''])).toEqual(['table', 'json']);
  expect(bashCompletes(script, ['kms-rotor', 'run', '--local', '--wave-o'])).toEqual(['--wave-order']);
  expect(bashCompletes(script, ['rotor', 'run', '--wave-order', 'c'])).toEqual(['canary-first']);
  // A flag's value is not taken for a command name.
  expect(bashCompletes(script, ['rotor', 'history', '--region', 'run', '--acc'])).toEqual(['--account']);
});

test('zsh loads the same function through bashcompinit', async () => {
  const program = await buildProgram();
  const zsh = completionScript('zsh', program);
  expect(zsh).toMatch(/^#compdef rotor kms-rotor\n/);
  expect(zsh).toContain('bashcompinit');
  expect(zsh).toContain(completionScript('bash', program).split('\n').slice(1).join('\n'));
});
