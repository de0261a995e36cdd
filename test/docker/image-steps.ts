/**
 * Rebuilds the Docker image's file layout in a folder, without a Docker engine, by following the
 * Dockerfile itself: each stage's WORKDIR becomes a temp folder, its COPY lines copy what the build
 * context (the repository less .dockerignore) or an earlier stage's folder holds, and its RUN lines
 * run there with the stage's ENV. Two steps cannot run outside a container and are stood in for:
 *
 * - the build stage's `npm ci` (every dev dependency, hundreds of MB): its node_modules is the
 *   repository's own, installed from the same package-lock.json, linked in;
 * - RUN lines about the data folder (`mkdir -p /data && chown ...`): the test makes a temp
 *   ROUTERLY_HOME instead.
 *
 * The runtime stage's `npm ci --omit=dev` does run, as written, against the registry.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyPaths, stageNamed, type Dockerfile, type Instruction, type Stage } from './dockerfile.js';
import { contextFiles, type IgnorePattern } from './dockerignore.js';

const run = promisify(execFile);

export interface StepsOptions {
  file: Dockerfile;
  /** The build context. */
  root: string;
  ignore: IgnorePattern[];
  /** A temp folder to build the stages in. */
  work: string;
  /** Limit for each RUN line. */
  runTimeoutMs: number;
}

export interface StepLog {
  stage: string;
  line: number;
  /** What was done: `ran`, `linked the repository's node_modules`, `skipped: ...`. */
  action: string;
}

/** The environment a RUN or CMD sees: the stage's ENV over a minimal base (no vitest NODE_ENV=test). */
export function stageEnv(stage: Stage, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...stage.env, ...extra };
}

const isNpmCi = (command: string) => /\bnpm ci\b/.test(command);

/** Where a path of the stage's filesystem lands in the stage's folder; only paths under WORKDIR map. */
function inStage(stage: Stage, dir: string, target: string): string {
  const absolute = path.posix.resolve(stage.workdir, target);
  const relative = path.posix.relative(stage.workdir, absolute);
  if (relative.startsWith('..')) throw new Error(`Dockerfile:${stage.line}: ${target} is outside WORKDIR ${stage.workdir}; the tests map only WORKDIR`);
  return path.join(dir, relative);
}

function copy(options: StepsOptions, stage: Stage, dir: string, instruction: Instruction, dirs: Map<Stage, string>): void {
  const { sources, dest } = copyPaths(instruction, stage);
  const intoFolder = dest.endsWith('/') || sources.length > 1;
  const target = inStage(stage, dir, dest);
  const from = instruction.flags.from;
  if (from) {
    const source = stageNamed(options.file, from);
    const sourceDir = source && dirs.get(source);
    if (!source || !sourceDir) throw new Error(`Dockerfile:${instruction.line}: COPY --from=${from} names no stage built before it`);
    for (const item of sources) {
      const origin = inStage(source, sourceDir, item);
      cpSync(origin, intoFolder ? path.join(target, path.basename(origin)) : target, { recursive: true, dereference: false });
    }
    return;
  }
  for (const item of sources) {
    const base = path.posix.normalize(item.replace(/\/$/, ''));
    const files = contextFiles(options.root, base, options.ignore);
    if (files.length === 0) throw new Error(`Dockerfile:${instruction.line}: ${item} is not in the build context`);
    for (const file of files) {
      // A folder's contents land in the destination; a file lands as or in it.
      const isFolder = file !== base;
      const landing = isFolder ? path.join(target, path.posix.relative(base, file)) : intoFolder ? path.join(target, path.basename(file)) : target;
      mkdirSync(path.dirname(landing), { recursive: true });
      cpSync(path.join(options.root, file), landing);
    }
  }
}

/**
 * Follows every stage up to and including the last one; returns each stage's folder and what was
 * done for each RUN.
 */
export async function reproduceStages(options: StepsOptions): Promise<{ dirs: Map<Stage, string>; log: StepLog[] }> {
  const dirs = new Map<Stage, string>();
  const log: StepLog[] = [];
  const runtime = options.file.stages.at(-1)!;
  for (const stage of options.file.stages) {
    const dir = path.join(options.work, `stage-${stage.index}-${stage.name ?? 'unnamed'}`);
    mkdirSync(dir, { recursive: true });
    dirs.set(stage, dir);
    const name = stage.name ?? String(stage.index);
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'COPY') copy(options, stage, dir, instruction, dirs);
      if (instruction.keyword !== 'RUN') continue;
      const command = instruction.execForm ? instruction.args.join(' ') : instruction.rest;
      const home = runtime.env.ROUTERLY_HOME;
      if (stage !== runtime && isNpmCi(command)) {
        symlinkSync(path.join(options.root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
        log.push({ stage: name, line: instruction.line, action: "linked the repository's node_modules" });
      } else if (home && command.includes(home)) {
        log.push({ stage: name, line: instruction.line, action: `skipped: ${home} is a temp folder here` });
      } else {
        const argv = instruction.execForm ? instruction.args : ['sh', '-c', command];
        try {
          await run(argv[0]!, argv.slice(1), { cwd: dir, env: stageEnv(stage), timeout: options.runTimeoutMs, maxBuffer: 64 * 1024 * 1024 });
        } catch (error) {
          const { stdout, stderr } = error as { stdout?: string; stderr?: string };
          throw new Error(`Dockerfile:${instruction.line} (${command}) failed: ${String(error)}\n${stdout ?? ''}\n${stderr ?? ''}`);
        }
        log.push({ stage: name, line: instruction.line, action: 'ran' });
      }
    }
  }
  return { dirs, log };
}
