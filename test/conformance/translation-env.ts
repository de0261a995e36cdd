// The translation suite's shared fixture: the matrix of providers, SDK clients pointed at the
// gateway with the matrix project's token, and what the tests send.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { TokenUsage } from '../../src/providers/types.js';
import { waitForUsage } from '../support/gateway-client.js';
import type { SuiteContext } from './context.js';
import { setUpMatrix, type Matrix } from './matrix.js';

export const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};
export const TOOL_PROMPT = 'please call tool for Paris';
/** A 1×1 PNG: it must reach every provider byte for byte, in that provider's image shape. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
export const jsonSchema = { type: 'object', properties: { routerly_field: { type: 'string' } }, required: ['routerly_field'], additionalProperties: false };

export interface TranslationEnv {
  matrix: Matrix;
  /** The gateway's base URL and the matrix project's token, for raw HTTP calls (read once the suite has set up). */
  readonly url: string;
  readonly token: string;
  openai(token?: string): OpenAI;
  anthropic(): Anthropic;
  /** The gateway's usage record of one call, once written (undefined after 5 s). */
  recordOf(requestId: string | null): Promise<any>;
  /** Checks the gateway's usage record of one call against what the provider billed. */
  expectRecorded(requestId: string | null, billed: TokenUsage, stream: boolean): Promise<void>;
}

/** Sets the matrix up around the calling describe block and returns the environment its tests use. */
export function useTranslationEnv(ctx: SuiteContext): TranslationEnv {
  const matrix = {} as Matrix;
  beforeAll(async () => {
    Object.assign(matrix, await setUpMatrix(ctx.admin));
  });
  beforeEach(() => {
    matrix.keyed?.reset();
    matrix.keyless?.reset();
    matrix.mistral?.reset();
  });
  afterAll(async () => {
    await matrix.keyed?.close();
    await matrix.keyless?.close();
    await matrix.mistral?.close();
  });

  /** The gateway's usage record of one call, once written. */
  async function recordOf(requestId: string | null) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const { records } = await waitForUsage(ctx.admin, matrix.project.id, 0);
      const record = records.find((r) => r.requestId === requestId);
      if (record || Date.now() > deadline) return record;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  return {
    matrix,
    get url() {
      return ctx.gateway.url;
    },
    get token() {
      return matrix.project.token;
    },
    recordOf,
    openai: (token = matrix.project.token) => new OpenAI({ apiKey: token, baseURL: `${ctx.gateway.url}/v1`, maxRetries: 0 }),
    anthropic: () => new Anthropic({ apiKey: matrix.project.token, baseURL: ctx.gateway.url, maxRetries: 0 }),
    async expectRecorded(requestId, billed, stream) {
      expect(await recordOf(requestId)).toMatchObject({ ...billed, stream, outcome: 'ok', usageReported: true });
    },
  };
}
