/**
 * .dockerignore as Docker reads it (moby/patternmatcher and BuildKit's ignorefile), so the tests
 * know exactly which files a `docker build` of this repository sends, without a Docker engine:
 *
 * - one pattern a line; `#` starts a comment only at the start of a line; blank lines skipped;
 * - `!` makes an exception; the last pattern that matches a path decides;
 * - patterns are cleaned like Go's filepath.Clean (`./a/`, `a//b` -> `a`, `a/b`), a leading `/`
 *   dropped, and are anchored at the context's root (`*.log` is only the root's logs);
 * - `*` is any run of characters but `/`, `?` one such character, `[...]` a class, `\` escapes;
 *   `**` is any number of folders, none included;
 * - a path is excluded when it, or any folder above it, matches.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface IgnorePattern {
  /** As written after cleaning, `!` included: for messages. */
  source: string;
  exception: boolean;
  regex: RegExp;
}

/** Go's path.Clean for slash-separated paths. */
export function cleanPath(input: string): string {
  const rooted = input.startsWith('/');
  const parts: string[] = [];
  for (const part of input.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts.at(-1) !== '..') parts.pop();
      else if (!rooted) parts.push('..');
    } else parts.push(part);
  }
  const joined = parts.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

/** The regular expression patternmatcher compiles a cleaned pattern to. */
function compile(pattern: string): RegExp {
  let regex = '^';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        // `**/` is treated as `**`: the slash is eaten.
        if (chars[i + 1] === '/') i++;
        // A trailing `**` accepts everything; elsewhere it is any number of folders, none included.
        regex += i + 1 >= chars.length ? '.*' : '(.*/)?';
      } else regex += '[^/]*';
    } else if (ch === '?') regex += '[^/]';
    else if (ch === '\\') {
      // Escapes the next character; a trailing backslash stands for itself.
      const next = chars[i + 1];
      if (next === undefined) regex += '\\\\';
      else {
        regex += /[A-Za-z0-9]/.test(next) ? next : `\\${next}`;
        i++;
      }
    } else if (ch === '[') {
      // Go's classes negate with `^` and JavaScript's too; keep the class as written.
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) throw new Error(`.dockerignore: unterminated character class in ${pattern}`);
      regex += pattern.slice(i, end + 1);
      i = end;
    } else if ('.+()|{}$^]'.includes(ch)) regex += `\\${ch}`;
    else regex += ch;
  }
  return new RegExp(`${regex}$`);
}

/** Reads a .dockerignore file's text. Throws on a lone `!`, which Docker refuses too. */
export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (rawLine.startsWith('#')) continue;
    let pattern = rawLine.trim();
    if (pattern === '') continue;
    const exception = pattern.startsWith('!');
    if (exception) pattern = pattern.slice(1).trim();
    if (pattern === '') throw new Error('.dockerignore: illegal exclusion pattern "!"');
    pattern = cleanPath(pattern);
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    // Docker skips "." (it would exclude the whole context).
    if (pattern === '.') continue;
    patterns.push({ source: `${exception ? '!' : ''}${pattern}`, exception, regex: compile(pattern) });
  }
  return patterns;
}

/**
 * Whether a context-relative path (slash-separated) is left out of the build context, and by
 * which pattern (the last deciding one). patternmatcher's MatchesOrParentMatches.
 */
export function excludedBy(file: string, patterns: IgnorePattern[]): IgnorePattern | undefined {
  const cleaned = cleanPath(file);
  const parts = cleaned.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let decided: IgnorePattern | undefined;
  for (const pattern of patterns) {
    // An exclusion only matters while the path is included, an exception only while excluded.
    if (pattern.exception !== (decided !== undefined)) continue;
    if (candidates.some((candidate) => pattern.regex.test(candidate))) decided = pattern.exception ? undefined : pattern;
  }
  return decided;
}

export const isExcluded = (file: string, patterns: IgnorePattern[]): boolean => excludedBy(file, patterns) !== undefined;

/** Whether some exception could bring back a path below the excluded folder `dir`. */
function exceptionReaches(dir: string, patterns: IgnorePattern[]): boolean {
  return patterns.some((pattern) => {
    if (!pattern.exception) return false;
    const body = pattern.source.slice(1);
    const literal = body.split(/[*?[\\]/)[0]!;
    // A pattern starting with a wildcard may match anywhere; otherwise its literal head decides.
    return literal === '' || literal.startsWith(`${dir}/`) || `${dir}/`.startsWith(literal);
  });
}

/**
 * The files (context-relative, slash-separated) below `relative` that the build context holds:
 * what `COPY <relative> <dest>` copies. A file or folder that is itself excluded yields nothing.
 */
export function contextFiles(root: string, relative: string, patterns: IgnorePattern[]): string[] {
  const files: string[] = [];
  const visit = (rel: string) => {
    const stat = statSync(path.join(root, rel));
    if (stat.isDirectory()) {
      if (isExcluded(rel, patterns) && !exceptionReaches(rel, patterns)) return;
      for (const entry of readdirSync(path.join(root, rel)).sort()) visit(rel === '.' ? entry : `${rel}/${entry}`);
    } else if (!isExcluded(rel, patterns)) files.push(rel);
  };
  visit(cleanPath(relative));
  return files;
}

export function readRepoDockerignore(root: string): IgnorePattern[] {
  return parseDockerignore(readFileSync(path.join(root, '.dockerignore'), 'utf8'));
}
