// The real worker, with one limit of Cloudflare's production runtime that local workerd does not
// enforce: Web Crypto refuses PBKDF2 above 100,000 iterations there (workerd's
// DEFAULT_MAX_PBKDF2_ITERATIONS, applied only by the edge's isolate limit enforcer). Without this
// wrapper a gateway whose password hashing needs more passes every local test and then fails
// setup and login on the edge.
import worker from '../../adapters/cloudflare-workers/worker.js';

const MAX_PBKDF2_ITERATIONS = 100_000;

function refuseLikeTheEdge(algorithm: unknown): void {
  if (typeof algorithm !== 'object' || algorithm === null) return;
  const { name, iterations } = algorithm as { name?: unknown; iterations?: unknown };
  if (String(name).toUpperCase() === 'PBKDF2' && typeof iterations === 'number' && iterations > MAX_PBKDF2_ITERATIONS) {
    // The edge's exact error.
    throw new DOMException(
      `Pbkdf2 failed: iteration counts above ${MAX_PBKDF2_ITERATIONS} are not supported (requested ${iterations}).`,
      'NotSupportedError',
    );
  }
}

const subtle = SubtleCrypto.prototype;
const deriveBits = subtle.deriveBits;
const deriveKey = subtle.deriveKey;
subtle.deriveBits = function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['deriveBits']>) {
  try {
    refuseLikeTheEdge(args[0]);
  } catch (error) {
    return Promise.reject(error);
  }
  return deriveBits.apply(this, args);
};
subtle.deriveKey = function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['deriveKey']>) {
  try {
    refuseLikeTheEdge(args[0]);
  } catch (error) {
    return Promise.reject(error);
  }
  return deriveKey.apply(this, args);
};

export default worker;
