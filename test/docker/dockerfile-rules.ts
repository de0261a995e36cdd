/**
 * This project's rules for its Dockerfile, on top of the syntax the linter checks: what the image
 * must do for Routerly to run well in it (non-root, health, drain on stop, no dev dependencies) and
 * what must hold for `docker build` to work at all (every COPY source in the build context).
 * Each rule returns one line per problem, naming the Dockerfile line, so a failing test says what
 * to fix.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { copyPaths, parseDockerfile, stageNamed, type Dockerfile, type Instruction, type Stage } from './dockerfile.js';
import { contextFiles, excludedBy, parseDockerignore, type IgnorePattern } from './dockerignore.js';

/** ROUTERLY_SHUTDOWN_GRACE_MS's default (README, "Configuration"): a stop timeout must outlast it. */
export const DEFAULT_DRAIN_GRACE_MS = 30_000;

/** The signals the server drains on (README, "Deploying"). */
const DRAIN_SIGNALS = new Set(['SIGTERM', 'SIGINT', '15', '2']);

export interface RuleInput {
  dockerfile: string;
  dockerignore: string;
  /** The build context: the repository, with dist/ and dashboard/dist built. */
  root: string;
  /** package.json's engines.node, a `>=` range. */
  engines: string;
}

const at = (instruction: Instruction | Stage) => `Dockerfile:${instruction.line}`;
const runCommands = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => ({ instruction: i, command: i.execForm ? i.args.join(' ') : i.rest }));
const last = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).at(-1);

/** Base images: a full version tag or a digest, never latest, Node no older than engines; earlier stages by name are fine. */
function pinnedBases(file: Dockerfile, engines: string): string[] {
  const problems: string[] = [];
  for (const stage of file.stages) {
    if (file.stages.slice(0, stage.index).some((earlier) => earlier.name === stage.base.toLowerCase())) continue;
    const digest = /@sha256:[0-9a-f]{64}$/.test(stage.base);
    const tag = /:([^/:@]+)$/.exec(stage.base)?.[1];
    if (!digest && (!tag || !/^v?\d+\.\d+\.\d+/.test(tag))) problems.push(`${at(stage)}: base image ${stage.base || '(empty)'} is not pinned to a full version or a digest`);
    const nodeVersion = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)\.(\d+)\.(\d+)/.exec(stage.base);
    if (nodeVersion && !satisfiesMinimum(nodeVersion.slice(1).map(Number), engines)) problems.push(`${at(stage)}: ${stage.base} is older than package.json's engines.node (${engines})`);
  }
  return problems;
}

/** Whether [major, minor, patch] meets an engines range of the form `>=A.B.C` (or `>=A.B`, `>=A`). */
function satisfiesMinimum(version: number[], range: string): boolean {
  const minimum = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!minimum) throw new Error(`package.json engines.node ${range}: the Docker test reads only ">=A.B.C"`);
  const wanted = minimum.slice(1).map((part) => Number(part ?? 0));
  for (let i = 0; i < 3; i++) if (version[i] !== wanted[i]) return version[i]! > wanted[i]!;
  return true;
}

/** The runtime stage (the last one): user, health, stop signal, command, data folder. */
function runtimeStage(file: Dockerfile): string[] {
  const stage = file.stages.at(-1)!;
  const problems: string[] = [];
  if (file.stages.length < 2) problems.push(`${at(stage)}: one stage only; the build's dev dependencies would ship in the image`);

  const user = last(stage, 'USER');
  const userName = user?.args[0]?.split(':')[0];
  if (!user || userName === 'root' || userName === '0') problems.push(`${user ? at(user) : at(stage)}: the runtime stage must end as a non-root USER`);

  const health = last(stage, 'HEALTHCHECK');
  if (!health || health.args[0]?.toUpperCase() === 'NONE') problems.push(`${at(stage)}: the runtime stage needs a HEALTHCHECK`);
  else {
    if (!health.execForm) problems.push(`${at(health)}: HEALTHCHECK CMD must be in exec form (no shell in the image's way)`);
    if (health.args[0] !== 'node') problems.push(`${at(health)}: HEALTHCHECK must run node (the slim image has no curl or wget)`);
    if (!health.args.join(' ').includes('/health')) problems.push(`${at(health)}: HEALTHCHECK must ask /health`);
    if (!health.flags.timeout) problems.push(`${at(health)}: HEALTHCHECK needs a --timeout`);
  }

  const stop = last(stage, 'STOPSIGNAL');
  if (!stop) problems.push(`${at(stage)}: the runtime stage needs a STOPSIGNAL the server drains on`);
  else if (!DRAIN_SIGNALS.has(stop.args[0]?.toUpperCase() ?? '')) problems.push(`${at(stop)}: STOPSIGNAL ${stop.args[0]} is not one the server drains on (SIGTERM, SIGINT)`);

  const cmd = last(stage, 'CMD');
  const entrypoint = last(stage, 'ENTRYPOINT');
  if (entrypoint) problems.push(`${at(entrypoint)}: no ENTRYPOINT: CMD alone keeps \`docker run image <command>\` simple and node PID 1`);
  if (!cmd) problems.push(`${at(stage)}: the runtime stage needs a CMD`);
  else {
    if (!cmd.execForm) problems.push(`${at(cmd)}: CMD must be in exec form, or /bin/sh is PID 1 and the server never sees SIGTERM`);
    if (cmd.args[0] !== 'node') problems.push(`${at(cmd)}: CMD must start node itself (npm or a shell in between would keep the stop signal from it)`);
  }

  const home = stage.env.ROUTERLY_HOME;
  if (!home?.startsWith('/')) problems.push(`${at(stage)}: ENV ROUTERLY_HOME must name the data folder (an absolute path)`);
  else {
    const volume = stage.instructions.find((i) => i.keyword === 'VOLUME' && i.args.includes(home));
    if (!volume) problems.push(`${at(stage)}: VOLUME ${home} missing: the data would die with the container`);
    const owned = runCommands(stage).some(({ command }) => new RegExp(`chown\\s+(-R\\s+)?${userName ?? '\\S+'}(:\\S+)?\\s+(\\S+\\s+)*${home}(\\s|$)`).test(command));
    if (!owned) problems.push(`${at(stage)}: no RUN chowns ${home} to ${userName ?? 'the runtime user'}; the first start could not write its config`);
  }
  if (stage.env.ROUTERLY_HOST !== '0.0.0.0') problems.push(`${at(stage)}: ENV ROUTERLY_HOST=0.0.0.0 missing: the server would accept no connection from outside the container`);
  const port = stage.env.ROUTERLY_PORT;
  if (!port || !/^\d+$/.test(port)) problems.push(`${at(stage)}: ENV ROUTERLY_PORT missing`);
  else if (!stage.instructions.some((i) => i.keyword === 'EXPOSE' && i.args.some((p) => p.split('/')[0] === port))) problems.push(`${at(stage)}: EXPOSE ${port} missing`);
  return problems;
}

/** npm: lock-file installs only, the runtime without dev dependencies, no second build by prepare. */
function npmInstalls(file: Dockerfile): string[] {
  const problems: string[] = [];
  for (const stage of file.stages) {
    const runs = runCommands(stage);
    const builds = runs.some(({ command }) => /\bnpm run build\b/.test(command));
    for (const { instruction, command } of runs) {
      if (/\bnpm\s+(install|i|add)\b/.test(command)) problems.push(`${at(instruction)}: npm install ignores the lock file's guarantees; use npm ci`);
      if (/\byarn\b|\bpnpm\b/.test(command)) problems.push(`${at(instruction)}: this project installs with npm ci (package-lock.json)`);
      if (/\bsudo\b/.test(command)) problems.push(`${at(instruction)}: no sudo in a Dockerfile`);
      if (/(^|&&|;)\s*cd\s/.test(command)) problems.push(`${at(instruction)}: use WORKDIR instead of cd`);
      if (!/\bnpm ci\b/.test(command)) continue;
      const lockCopied = stage.instructions.some(
        (i) => i.keyword === 'COPY' && i.line < instruction.line && !i.flags.from && i.args.slice(0, -1).includes('package-lock.json'),
      );
      if (!lockCopied) problems.push(`${at(instruction)}: npm ci before package-lock.json is copied into the stage`);
      if (builds && !/--ignore-scripts\b/.test(command)) problems.push(`${at(instruction)}: npm ci runs the prepare script (a whole build) before the stage's own npm run build: add --ignore-scripts`);
      if (stage === file.stages.at(-1)) {
        if (!/--omit=dev\b/.test(command)) problems.push(`${at(instruction)}: the runtime stage's npm ci must have --omit=dev`);
        if (!/--ignore-scripts\b/.test(command)) problems.push(`${at(instruction)}: the runtime stage's npm ci must have --ignore-scripts (prepare needs the dev dependencies)`);
      }
    }
    if (stage === file.stages.at(-1) && !runs.some(({ command }) => /\bnpm ci\b/.test(command))) problems.push(`${at(stage)}: the runtime stage installs no dependencies (npm ci --omit=dev)`);
  }
  return problems;
}

/** Every COPY source is in the build context (or in the earlier stage it names). */
function copySources(file: Dockerfile, root: string, ignore: IgnorePattern[]): string[] {
  const problems: string[] = [];
  for (const stage of file.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'ADD') problems.push(`${at(instruction)}: use COPY; ADD also fetches URLs and unpacks archives`);
      if (instruction.keyword !== 'COPY') continue;
      const { sources } = copyPaths(instruction, stage);
      const from = instruction.flags.from;
      if (from) {
        const source = stageNamed(file, from);
        if (!source || source.index >= stage.index) {
          problems.push(`${at(instruction)}: COPY --from=${from} names no earlier stage`);
          continue;
        }
        for (const item of sources) {
          const inBuild = path.posix.relative(source.workdir, path.posix.resolve(source.workdir, item));
          if (inBuild.startsWith('..')) problems.push(`${at(instruction)}: ${item} is outside stage ${from}'s WORKDIR ${source.workdir}`);
          else if (!existsSync(path.join(root, inBuild))) problems.push(`${at(instruction)}: ${item} (${inBuild} once built) does not exist; was the build run?`);
        }
        continue;
      }
      for (const item of sources) {
        if (/[*?[]/.test(item)) {
          problems.push(`${at(instruction)}: ${item}: name sources exactly, so a missing file fails the build`);
          continue;
        }
        const rel = path.posix.normalize(item.replace(/^\.\/|\/$/g, '')) || '.';
        const excluded = excludedBy(rel, ignore);
        if (rel.startsWith('..')) problems.push(`${at(instruction)}: ${item} is outside the build context`);
        else if (!existsSync(path.join(root, rel))) problems.push(`${at(instruction)}: ${item} does not exist in the repository`);
        else if (excluded) problems.push(`${at(instruction)}: ${item} is excluded by .dockerignore (${excluded.source})`);
        else if (statSync(path.join(root, rel)).isDirectory() && contextFiles(root, rel, ignore).length === 0) problems.push(`${at(instruction)}: ${item} holds no file the build context keeps`);
      }
    }
  }
  return problems;
}

/** The Dockerfile's own comments must name a stop timeout no shorter than the drain grace. */
function documentedStopTimeout(text: string): string[] {
  const seconds = [...text.matchAll(/(?:--stop-timeout[ =]|docker stop -t |stop_grace_period: )(\d+)/g)].map((m) => Number(m[1]));
  if (seconds.length === 0) return ['Dockerfile: document a stop timeout (docker run --stop-timeout / docker stop -t / stop_grace_period)'];
  const short = seconds.filter((s) => s * 1000 < DEFAULT_DRAIN_GRACE_MS);
  return short.map((s) => `Dockerfile: a documented stop timeout of ${s} s is shorter than the ${DEFAULT_DRAIN_GRACE_MS / 1000} s drain grace`);
}

export function dockerfileProblems(input: RuleInput): string[] {
  const file = parseDockerfile(input.dockerfile);
  if (file.stages.length === 0) return ['Dockerfile: no FROM'];
  const ignore = parseDockerignore(input.dockerignore);
  return [...pinnedBases(file, input.engines), ...runtimeStage(file), ...npmInstalls(file), ...copySources(file, input.root, ignore), ...documentedStopTimeout(input.dockerfile)];
}
