// The .gitignore subset the folder walk follows, rule by rule, against what git does with each.
import { isIgnored, parseIgnoreRules, type IgnoreFile } from '../../prevention/gitignore';

const at = (folder: string, text: string): IgnoreFile => ({ folder, rules: parseIgnoreRules(text) });

/** The paths of `paths` (a trailing `/` marks a folder) that `files` ignore. */
function ignored(files: IgnoreFile[], paths: string[]): string[] {
  return paths.filter((path) => isIgnored(files, path.replace(/\/$/, ''), path.endsWith('/')));
}

describe('gitignore rules', () => {
  it('skips blank lines and comments, and trims unescaped trailing spaces', () => {
    expect(parseIgnoreRules('\n# a comment\n   \n')).toEqual([]);
    expect(ignored([at('', 'build   \n\\#notes\nkeep\\ ')], ['build', '#notes', 'keep ', 'keep'])).toEqual(['build', '#notes', 'keep ']);
  });

  it('matches a name without a slash at any depth, and an anchored pattern only from its folder', () => {
    const files = [at('', 'dist\n/top.json\nconfig/local.yaml\n')];
    expect(ignored(files, ['dist/', 'a/b/dist/', 'top.json', 'a/top.json', 'config/local.yaml', 'x/config/local.yaml'])).toEqual([
      'dist/',
      'a/b/dist/',
      'top.json',
      'config/local.yaml',
    ]);
  });

  it('keeps a trailing slash to folders', () => {
    expect(ignored([at('', 'out/\n')], ['out/', 'out', 'a/out/'])).toEqual(['out/', 'a/out/']);
  });

  it('reads *, ?, [...] and ** as git does', () => {
    const files = [at('', '*.tfstate\nplan?.json\nstack-[ab].yaml\nnot-[!x].yaml\n**/gen/**\nlogs/**/*.json\n')];
    expect(
      ignored(files, [
        'a.tfstate',
        'deep/b.tfstate',
        'plan1.json',
        'plan12.json',
        'stack-a.yaml',
        'stack-c.yaml',
        'not-y.yaml',
        'not-x.yaml',
        'x/gen/t.json',
        'gen/t.json',
        'logs/a.json',
        'logs/1/2/b.json',
        'logs/b.yaml',
      ]),
    ).toEqual(['a.tfstate', 'deep/b.tfstate', 'plan1.json', 'stack-a.yaml', 'not-y.yaml', 'x/gen/t.json', 'gen/t.json', 'logs/a.json', 'logs/1/2/b.json']);
  });

  it('lets a later ! take a path back, and a deeper file override a shallower one', () => {
    const files = [at('', '*.json\n!keep.json\n'), at('infra', '!*.json\nsecret.json\n')];
    expect(ignored(files, ['a.json', 'keep.json', 'infra/plan.json', 'infra/secret.json', 'other/plan.json'])).toEqual([
      'a.json',
      'infra/secret.json',
      'other/plan.json',
    ]);
  });

  it('takes \\! as a name that starts with !', () => {
    expect(ignored([at('', '\\!important.yaml\n')], ['!important.yaml', 'important.yaml'])).toEqual(['!important.yaml']);
  });
});
