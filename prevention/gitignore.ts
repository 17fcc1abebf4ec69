// The part of .gitignore the folder walk follows: blank lines and `#` comments, `!` to take a path
// back, a trailing `/` for folders only, a leading or inner `/` to anchor a pattern to the folder of
// its .gitignore, the globs `*`, `?`, `[...]` and `**`, and `\` to escape. Deeper files and later
// lines win. Not read: .git/info/exclude and core.excludesFile, which are one person's settings.

export interface IgnoreRule {
  /** Matches the path relative to the .gitignore's folder, `/`-separated. */
  pattern: RegExp;
  negate: boolean;
  foldersOnly: boolean;
}

export interface IgnoreFile {
  /** The folder holding the .gitignore, `/`-separated from the top of the walk; '' for the top. */
  folder: string;
  rules: IgnoreRule[];
}

function escapeForRegExp(char: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(char) ? `\\${char}` : char;
}

/** A glob as a regular expression body; `*` and `?` never cross a `/`, `**` between slashes does. */
function globToRegExp(glob: string): string {
  let body = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === '*' && glob[i + 1] === '*' && (i === 0 || glob[i - 1] === '/') && (i + 2 === glob.length || glob[i + 2] === '/')) {
      // `**/` is any number of folders, none included; a final `**` is everything inside.
      if (i + 2 === glob.length) {
        body += '.*';
        i += 1;
      } else {
        body += '(?:.*/)?';
        i += 2;
      }
    } else if (char === '*') {
      body += '[^/]*';
      while (glob[i + 1] === '*') i++;
    } else if (char === '?') {
      body += '[^/]';
    } else if (char === '[' && glob.indexOf(']', i + 2) > 0) {
      const close = glob.indexOf(']', i + 2);
      const set = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
      body += `[${set.startsWith('!') ? `^${set.slice(1)}` : set}]`;
      i = close;
    } else if (char === '\\' && i + 1 < glob.length) {
      body += escapeForRegExp(glob[++i]);
    } else {
      body += escapeForRegExp(char);
    }
  }
  return body;
}

function parseRule(line: string): IgnoreRule | undefined {
  let text = line;
  // Trailing spaces do not count unless escaped.
  while (text.endsWith(' ') && !text.endsWith('\\ ')) text = text.slice(0, -1);
  if (text === '' || text.startsWith('#')) return undefined;
  const negate = text.startsWith('!');
  if (negate) text = text.slice(1);
  else if (text.startsWith('\\!') || text.startsWith('\\#')) text = text.slice(1);
  const foldersOnly = text.endsWith('/');
  text = text.replace(/\/+$/, '');
  if (text === '') return undefined;
  const anchored = text.includes('/');
  const body = globToRegExp(text.replace(/^\//, ''));
  return { pattern: new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}$`), negate, foldersOnly };
}

export function parseIgnoreRules(text: string): IgnoreRule[] {
  return text.split(/\r?\n/).flatMap((line) => parseRule(line) ?? []);
}

/** Whether `path` (`/`-separated from the top) is ignored by `files`, listed shallowest first. The
 * walk does not enter an ignored folder, so what is inside it needs no rule of its own. */
export function isIgnored(files: readonly IgnoreFile[], path: string, isFolder: boolean): boolean {
  for (let f = files.length - 1; f >= 0; f--) {
    const { folder, rules } = files[f];
    if (folder !== '' && !path.startsWith(`${folder}/`)) continue;
    const relative = folder === '' ? path : path.slice(folder.length + 1);
    for (let r = rules.length - 1; r >= 0; r--) {
      const rule = rules[r];
      if (rule.foldersOnly && !isFolder) continue;
      if (rule.pattern.test(relative)) return !rule.negate;
    }
  }
  return false;
}
