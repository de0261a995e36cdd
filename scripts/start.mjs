// `npm start`: the CLI from the compiled build when dist/ is as new as the sources (npm install
// builds it), else from the sources under tsx, as before. Compiled, a call costs the server about
// 8% less CPU: tsx's esbuild wraps every function made per call to keep its name. Either way the
// CLI runs in this process, so the signals npm forwards reach the server as they always did.
import { staleBuild } from './build-freshness.mjs';

const stale = staleBuild('dist/cli/main.js', ['src', 'storage', 'adapters/node', 'adapters/shared', 'cli']);
if (stale === undefined) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
