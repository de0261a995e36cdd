/**
 * This project's rules for its Dockerfile (dockerfile-rules.ts), the compose example held to it, and
 * what .dockerignore must keep out of the build context.
 * Each rule is also shown a broken Dockerfile, so a rule that could never fail would be noticed.
 * The syntax lint (dockerfile-utils) is dockerfile-lint.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './dockerfile.js';
import { DEFAULT_DRAIN_GRACE_MS, dockerfileProblems } from './dockerfile-rules.js';
import { contextFiles, isExcluded, parseDockerignore } from './dockerignore.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCKERFILE = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8');
const ENGINES = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
const problems = (dockerfile: string, dockerignore = DOCKERIGNORE) => dockerfileProblems({ dockerfile, dockerignore, root: ROOT, engines: ENGINES });

/** The Dockerfile with one exact piece of it replaced; fails loudly when the piece is gone. */
function broken(find: string | RegExp, replace: string): string {
  const changed = DOCKERFILE.replace(find, replace);
  if (changed === DOCKERFILE) throw new Error(`the Dockerfile no longer contains ${String(find)}; update this test`);
  return changed;
}

describe('Dockerfile project rules', () => {
  it('follows the project rules', () => {
    expect(problems(DOCKERFILE)).toEqual([]);
  });

  it.each([
    ['a root runtime user', [/^USER node$/m, 'USER root'], /non-root USER/],
    ['no runtime user', [/^USER node\n/m, ''], /non-root USER/],
    ['no HEALTHCHECK', [/^HEALTHCHECK [^\n]*\\\n[^\n]*\n/m, ''], /needs a HEALTHCHECK/],
    ['a curl health check', [/CMD \["node", "-e", .*$/m, 'CMD curl -f http://127.0.0.1:3000/health'], /exec form[\s\S]*must run node/],
    ['no STOPSIGNAL', [/^STOPSIGNAL .*\n/m, ''], /needs a STOPSIGNAL/],
    ['a signal that does not drain', [/^STOPSIGNAL .*$/m, 'STOPSIGNAL SIGKILL'], /not one the server drains on/],
    ['a shell-form CMD', [/^CMD \[.*$/m, 'CMD node dist/cli/main.js start'], /CMD must be in exec form/],
    ['npm start as the command', [/^CMD \[.*$/m, 'CMD ["npm", "start"]'], /CMD must start node itself/],
    ['npm install', [/npm ci --omit=dev/, 'npm install --omit=dev'], /npm install ignores the lock file/],
    ['dev dependencies in the runtime', [/npm ci --omit=dev/, 'npm ci'], /must have --omit=dev/],
    ['a build by prepare on install', [/npm ci --no-audit --no-fund --ignore-scripts/, 'npm ci --no-audit --no-fund'], /add --ignore-scripts/],
    ['npm ci before the lock file', [/(WORKDIR \/app\n)COPY package.json package-lock.json \.\/\n/, '$1'], /before package-lock.json is copied/],
    ['a floating base image', [/^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node:20-slim'], /not pinned/],
    ['a Node older than engines', [/^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node:20.18.3-bookworm-slim'], /older than package.json's engines.node/],
    ['a source that does not exist', [/^COPY cli \.\/cli$/m, 'COPY cli-gone ./cli'], /cli-gone does not exist/],
    ['a source outside the context', [/^COPY cli \.\/cli$/m, 'COPY ../cli ./cli'], /outside the build context/],
    ['a source .dockerignore excludes', [/^COPY cli \.\/cli$/m, 'COPY test ./test'], /test is excluded by \.dockerignore \(test\)/],
    ['a --from stage that does not exist', [/--from=build \/build\/dist/, '--from=builder /build/dist'], /names no earlier stage/],
    ['a --from path outside its WORKDIR', [/--from=build \/build\/dist/, '--from=build /usr/src/dist'], /outside stage build's WORKDIR/],
    ['a --from path the build does not make', [/--from=build \/build\/dist/, '--from=build /build/out'], /out once built\) does not exist/],
    ['an unowned data folder', [/^RUN mkdir -p \/data && chown node:node \/data$/m, 'RUN mkdir -p /data'], /no RUN chowns \/data/],
    ['no VOLUME', [/^VOLUME \/data\n/m, ''], /VOLUME \/data missing/],
    ['a loopback-only host', [/ROUTERLY_HOST=0\.0\.0\.0/, 'ROUTERLY_HOST=127.0.0.1'], /ROUTERLY_HOST=0\.0\.0\.0 missing/],
    ['an unexposed port', [/^EXPOSE 3000$/m, 'EXPOSE 8080'], /EXPOSE 3000 missing/],
    ['ADD', [/^COPY cli \.\/cli$/m, 'ADD cli ./cli'], /use COPY/],
    ['a stop timeout shorter than the grace', [/--stop-timeout 35 routerly/, '--stop-timeout 10 routerly'], /10 s is shorter than the 30 s drain grace/],
  ] as const)('reports %s', (_, [find, replace], expected) => {
    expect(problems(broken(find, replace)).join('\n')).toMatch(expected);
  });

  it('reports a COPY source that .dockerignore excludes', () => {
    expect(problems(DOCKERFILE, `${DOCKERIGNORE}\ncli/**\n`).join('\n')).toMatch(/cli holds no file the build context keeps/);
    expect(problems(DOCKERFILE, `${DOCKERIGNORE}\npackage-lock.json\n`).join('\n')).toMatch(/package-lock.json is excluded by \.dockerignore/);
    expect(problems(DOCKERFILE, `${DOCKERIGNORE}\n!test\n`)).toEqual([]);
  });
});

describe('docs/compose.yaml', () => {
  const compose = readFileSync(path.join(ROOT, 'docs/compose.yaml'), 'utf8');
  const runtime = parseDockerfile(DOCKERFILE).stages.at(-1)!;

  it('builds this repository', () => {
    const context = /^\s+build:\s*\n\s+context:\s*(\S+)\s*$/m.exec(compose)?.[1];
    expect(context, 'build.context').toBeDefined();
    expect(path.resolve(ROOT, 'docs', context!)).toBe(ROOT);
  });

  it('keeps the data folder in a volume and publishes the port the image listens on', () => {
    expect(compose).toMatch(new RegExp(`^\\s+- [\\w.-]+:${runtime.env.ROUTERLY_HOME}\\s*$`, 'm'));
    expect(compose).toMatch(new RegExp(`^\\s+- "\\d+:${runtime.env.ROUTERLY_PORT}"\\s*$`, 'm'));
  });

  it('gives the drain its grace before Compose kills the container', () => {
    const grace = /^\s+stop_grace_period:\s*(\d+)s\s*$/m.exec(compose)?.[1];
    expect(grace, 'stop_grace_period').toBeDefined();
    expect(Number(grace) * 1000).toBeGreaterThan(DEFAULT_DRAIN_GRACE_MS);
  });
});

describe('docs/compose-redis.yaml', () => {
  const compose = readFileSync(path.join(ROOT, 'docs/compose-redis.yaml'), 'utf8');
  const withoutComments = compose
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .map((line) => line.replace(/\s+#.*$/, ''));

  it('runs gateway replicas on one Redis, with a secret every replica shares and must be given', () => {
    expect(compose).toMatch(/^\s+ROUTERLY_REDIS_URL: redis:\/\/redis:6379\s*$/m);
    expect(compose).toMatch(/^\s+ROUTERLY_SECRET: \$\{ROUTERLY_SECRET:\?/m);
    expect(compose).toMatch(/^\s+deploy: \{ replicas: [2-9] \}\s*$/m);
    expect(compose).toMatch(/--appendonly", "yes"/);
    expect(compose).toMatch(/--maxmemory-policy", "noeviction"/);
    const grace = /^\s+stop_grace_period:\s*(\d+)s\s*$/m.exec(compose)?.[1];
    expect(Number(grace) * 1000).toBeGreaterThan(DEFAULT_DRAIN_GRACE_MS);
  });

  it('is what the README shows, line for line', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const shown = /A compose file with three gateway replicas[^\n]*\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown, 'the README block').toBeDefined();
    const shownLines = shown!.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#')).map((line) => line.replace(/\s+#.*$/, ''));
    expect(shownLines).toEqual(withoutComments);
  });
});

describe('.dockerignore', () => {
  const ignore = parseDockerignore(DOCKERIGNORE);

  it('keeps secrets, local data, installs and builds of this machine out of the build context', () => {
    const leftOut = [
      '.env', '.env.local', 'dashboard/.env.production', '.dev.vars', '.dev.vars.staging', 'adapters/cloudflare-workers/.dev.vars',
      '.npmrc', '.routerly/config/secret', '.routerly-test-1/data/usage/2026-12-01.jsonl', 'tls/server.key',
      'node_modules/hono/package.json', 'dashboard/node_modules/.vite/deps.json', 'dist/cli/main.js', 'dashboard/dist/index.html',
      '.git/HEAD', 'test-results/report.json', 'coverage/lcov.info', '.wrangler/state/kv.sqlite', 'routerly-0.1.0.tgz', 'npm-debug.log', 'dashboard/vite-error.log',
    ];
    expect(leftOut.filter((file) => !isExcluded(file, ignore))).toEqual([]);
  });

  it('sends a small context: no file from an excluded folder', () => {
    const files = contextFiles(ROOT, '.', ignore);
    expect(files.filter((file) => /(^|\/)(node_modules|\.git|test-results|coverage)\//.test(file) || /^(dashboard\/)?dist\//.test(file))).toEqual([]);
    expect(files).toContain('package-lock.json');
    expect(files.some((file) => file.startsWith('src/'))).toBe(true);
  });
});
