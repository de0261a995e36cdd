/**
 * The .dockerignore reader the Docker tests rely on, held to Docker's documented behaviour
 * (docs.docker.com, "Dockerignore files") and moby/patternmatcher's, where it differs from
 * .gitignore: patterns anchored at the root, `**` for any depth, the last match deciding.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanPath, contextFiles, excludedBy, isExcluded, parseDockerignore } from './dockerignore.js';

const excluded = (patterns: string, file: string) => isExcluded(file, parseDockerignore(patterns));

describe('.dockerignore matching', () => {
  it('anchors patterns at the root, unlike .gitignore', () => {
    expect(excluded('*.log', 'a.log')).toBe(true);
    expect(excluded('*.log', 'logs/a.log')).toBe(false);
    expect(excluded('node_modules', 'node_modules/x/index.js')).toBe(true);
    expect(excluded('node_modules', 'dashboard/node_modules/x.js')).toBe(false);
  });

  it('reaches any depth with **, none included', () => {
    expect(excluded('**/*.log', 'a.log')).toBe(true);
    expect(excluded('**/*.log', 'a/b/c.log')).toBe(true);
    expect(excluded('**/node_modules', 'dashboard/node_modules/x.js')).toBe(true);
    expect(excluded('a/**/z', 'a/z')).toBe(true);
    expect(excluded('a/**/z', 'a/b/c/z')).toBe(true);
    expect(excluded('a/**/z', 'b/a/z')).toBe(false);
    expect(excluded('dist/**', 'dist/x.js')).toBe(true);
    expect(excluded('dist/**', 'dist')).toBe(false);
  });

  it('matches * and ? within one path segment, as in the Docker docs', () => {
    expect(excluded('*/temp*', 'somedir/temporary.txt')).toBe(true);
    expect(excluded('*/temp*', 'somedir/temp')).toBe(true);
    expect(excluded('*/temp*', 'temp')).toBe(false);
    expect(excluded('*/*/temp*', 'somedir/subdir/temporary.txt')).toBe(true);
    expect(excluded('*/*/temp*', 'somedir/temporary.txt')).toBe(false);
    expect(excluded('temp?', 'tempa')).toBe(true);
    expect(excluded('temp?', 'temp/')).toBe(false);
    expect(excluded('temp?', 'temp')).toBe(false);
  });

  it('excludes everything below an excluded folder', () => {
    expect(excluded('*/temp*', 'somedir/temp/deep/file')).toBe(true);
    expect(excluded('.git', '.git/objects/ab/cdef')).toBe(true);
    expect(excluded('.git', '.github/workflows/ci.yml')).toBe(false);
  });

  it('lets the last matching line decide, exceptions included', () => {
    const patterns = '*.md\n!README*.md\nREADME-secret.md';
    expect(excluded(patterns, 'CHANGES.md')).toBe(true);
    expect(excluded(patterns, 'README.md')).toBe(false);
    expect(excluded(patterns, 'README-secret.md')).toBe(true);
    expect(excludedBy('README-secret.md', parseDockerignore(patterns))?.source).toBe('README-secret.md');
    expect(excluded('!README.md\n*.md', 'README.md')).toBe(true);
  });

  it('cleans patterns like Go: trailing and leading slashes, dots, doubled slashes', () => {
    expect(excluded('dist/', 'dist/a.js')).toBe(true);
    expect(excluded('/dist', 'dist/a.js')).toBe(true);
    expect(excluded('./a//b/../c', 'a/c/x')).toBe(true);
    expect(cleanPath('a/./b/../../..')).toBe('..');
    expect(cleanPath('/../a/')).toBe('/a');
  });

  it('reads comments only at the start of a line, classes and escapes as Go does', () => {
    expect(parseDockerignore('# comment\n\n   \nx')).toHaveLength(1);
    expect(excluded('  # not a comment', '# not a comment')).toBe(true);
    expect(excluded('[a-c].txt', 'b.txt')).toBe(true);
    expect(excluded('[a-c].txt', 'd.txt')).toBe(false);
    expect(excluded('[^a-c].txt', 'd.txt')).toBe(true);
    expect(excluded('\\*.txt', '*.txt')).toBe(true);
    expect(excluded('\\*.txt', 'a.txt')).toBe(false);
    expect(excluded('a.b', 'axb')).toBe(false);
    expect(() => parseDockerignore('!')).toThrow(/illegal exclusion pattern/);
  });
});

describe('the build context', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'routerly-dockerignore-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const file of ['docs/keep.md', 'docs/drop.md', 'src/a.ts', 'src/a.log', 'src/deep/b.ts', 'src/node_modules/x/i.js', 'top.log']) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), file);
  }

  it('holds what COPY would copy, walking into excluded folders only for an exception', () => {
    const patterns = parseDockerignore('**/*.log\n**/node_modules\ndocs\n!docs/keep.md');
    expect(contextFiles(root, '.', patterns)).toEqual(['docs/keep.md', 'src/a.ts', 'src/deep/b.ts']);
    expect(contextFiles(root, 'src/', patterns)).toEqual(['src/a.ts', 'src/deep/b.ts']);
    expect(contextFiles(root, 'top.log', patterns)).toEqual([]);
  });
});
