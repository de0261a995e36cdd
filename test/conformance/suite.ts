import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { anthropicTests } from './anthropic.js';
import { setUp, type RuntimeLimits, type StartGateway, type SuiteContext } from './context.js';
import { failureTests } from './failures.js';
import { faultTests } from './faults.js';
import { managementTests } from './management.js';
import { openAITests } from './openai.js';
import { useRoutingEnv } from './routing-env.js';
import { routingFallbackTests } from './routing-fallback.js';
import { routingPolicyTests } from './routing-policies.js';
import { tenancyTests } from './tenancy.js';
import { translationTests } from './translation.js';
import { resetModelStats } from '../support/gateway-client.js';

/**
 * The behaviour every runtime must show, over HTTP only, with the official SDKs against
 * the mock provider. Node and workerd each call this with their own way of starting.
 */
export function describeGatewayConformance(runtime: string, start: StartGateway, limits: RuntimeLimits = {}): void {
  describe(`gateway conformance (${runtime})`, () => {
    const ctx = {} as SuiteContext;
    beforeAll(async () => {
      Object.assign(ctx, await setUp(start, limits));
    });
    beforeEach(async () => {
      ctx.mock?.reset();
      if (ctx.admin) await resetModelStats(ctx.admin);
    });
    afterAll(async () => {
      await ctx.gateway?.close();
      await ctx.mock?.close();
    });

    describe('management API', () => managementTests(ctx));
    describe('OpenAI client', () => openAITests(ctx));
    describe('Anthropic client', () => anthropicTests(ctx));
    describe('bad input and failures', () => failureTests(ctx));
    describe('every upstream fault, streamed and not, forwarded and translated', () => faultTests(ctx));
    describe('translation between formats', () => translationTests(ctx));
    describe('routing', () => {
      const env = useRoutingEnv(ctx);
      describe('fallback, retries and deadlines', () => routingFallbackTests(ctx, env));
      describe('policies, judge, preview and metrics', () => routingPolicyTests(ctx, env));
      describe('budgets, reservations and rate limits', () => tenancyTests(ctx, env));
    });
  });
}
