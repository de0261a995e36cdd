import { describe } from 'vitest';
import type { SuiteContext } from './context.js';
import { badInputTests } from './translation-bad-input.js';
import { clientMatrixTests } from './translation-clients.js';
import { crossFormatTests } from './translation-edges.js';
import { useTranslationEnv } from './translation-env.js';

/** Translation between client APIs and providers: one matrix project, every provider in its pool. */
export function translationTests(ctx: SuiteContext): void {
  const env = useTranslationEnv(ctx);
  describe('every client API to every provider', () => clientMatrixTests(env));
  describe('across formats', () => crossFormatTests(env));
  describe('bad input on translated calls', () => badInputTests(env));
}
