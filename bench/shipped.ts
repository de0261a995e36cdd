// The gateway's modules as the Docker image and the npm package run them: compiled by tsc into
// dist/ (npm run build:lib, which npm run bench runs first). Not the sources under tsx: its
// esbuild keeps function names by wrapping every closure made per call in a __name call, which
// measured about 8% more CPU per call in the server processes, and 7 to 18% in the core
// micro-benchmark, than the same code compiled.

import { shippedBuildProblem } from './processes.js';

let checked = false;

/** A module of dist/ by its path there (`src/routing/engine.js`), typed as the source module it comes from. */
export async function shipped<T>(path: string): Promise<T> {
  if (!checked) {
    // Once per process: a dist/ missing or older than the sources stops the run with what to do.
    const problem = shippedBuildProblem();
    if (problem !== undefined) throw new Error(problem);
    checked = true;
  }
  return (await import(new URL(`../dist/${path}`, import.meta.url).href)) as T;
}
