// What crosses formats besides answers: provider errors and broken streams, reasoning,
// vendor dialects, the Responses API's native path, warnings, embeddings and count_tokens.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { MOCK_THOUGHT_SIGNATURE, mockAnthropicTokenCount, mockEmbedding } from '../support/mock-provider.js';
import { lastUpstream, mockOf, PROVIDER_CASES, type ProviderCase } from './matrix.js';
import { TOOL_PROMPT, weatherTool, type TranslationEnv } from './translation-env.js';

export function crossFormatTests(env: TranslationEnv): void {
  const { matrix, openai, anthropic } = env;
  describe.each(PROVIDER_CASES)('failures from $model', (provider: ProviderCase) => {
    const model = provider.model;
    const messages = [{ role: 'user' as const, content: 'hello there' }];

    it('keep a 429 a 429 with its retry-after, in each client format', async () => {
      const mock = mockOf(matrix, provider);
      mock.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });
      const openaiError = await openai()
        .chat.completions.create({ model, messages })
        .catch((e: unknown) => e);
      expect(openaiError).toBeInstanceOf(OpenAI.RateLimitError);
      expect((openaiError as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('7');
      // From an OpenAI-style provider the body is the provider's own; from others it is re-told in OpenAI's shape.
      if (provider.api !== 'openai') {
        expect((openaiError as InstanceType<typeof OpenAI.RateLimitError>).error).toMatchObject({ type: 'rate_limit_error' });
      }

      mock.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });
      const anthropicError = await anthropic()
        .messages.create({ model, max_tokens: 100, messages })
        .catch((e: unknown) => e);
      expect(anthropicError).toBeInstanceOf(Anthropic.RateLimitError);
      expect((anthropicError as InstanceType<typeof Anthropic.RateLimitError>).headers.get('retry-after')).toBe('7');
      expect((anthropicError as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({
        type: 'error',
        error: { type: 'rate_limit_error' },
      });

      mock.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });
      const responsesError = await openai()
        .responses.create({ model, input: 'hello there' })
        .catch((e: unknown) => e);
      expect(responsesError).toBeInstanceOf(OpenAI.RateLimitError);
    });

    it('end a stream that breaks off with an error in the client format', async () => {
      const mock = mockOf(matrix, provider);
      mock.enqueue({ kind: 'midStreamError', afterEvents: 2 });
      // A runtime whose HTTP client loses the events before the break (RuntimeLimits.breakMayDropEarlyEvents)
      // answers 502, which create() throws instead of the iteration: the same APIError either way.
      const openaiFailure = await (async () => {
        const openaiStream = await openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'a b c d e f g h' }], stream: true });
        for await (const _chunk of openaiStream) void _chunk;
      })().catch((e: unknown) => e);
      expect(openaiFailure).toBeInstanceOf(OpenAI.APIError);

      mock.enqueue({ kind: 'midStreamError', afterEvents: 2 });
      const anthropicFailure = await anthropic()
        .messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'a b c d e f g h' }] })
        .finalMessage()
        .catch((e: unknown) => e);
      expect(anthropicFailure).toBeInstanceOf(Anthropic.APIError);
    });
  });

  describe('reasoning across formats', () => {
    // The mocks that can think: Anthropic (thinking), Gemini (includeThoughts), Cohere (thinking).
    const thinkers = PROVIDER_CASES.filter((p) => ['anthropic', 'gemini', 'cohere'].includes(p.model));

    it.each(thinkers)('an Anthropic client gets $model thinking as thinking blocks', async (provider) => {
      const message = await anthropic().messages.create({
        model: provider.model,
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        messages: [{ role: 'user', content: 'think first' }],
      });
      expect(message.content[0]).toMatchObject({ type: 'thinking', thinking: 'thinking about: think first' });
      // Gemini also signs its answer text: that signature comes as a text-less thinking block after it.
      expect(message.content.find((block) => block.type === 'text')).toMatchObject({ text: 'echo: think first' });
    });

    it.each(thinkers)('a Chat Completions client gets $model thinking as reasoning_content', async (provider) => {
      const stream = await openai().chat.completions.create({
        model: provider.model,
        reasoning_effort: 'low',
        messages: [{ role: 'user', content: 'think first' }],
        stream: true,
      });
      let reasoning = '';
      let text = '';
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string } | undefined;
        reasoning += delta?.reasoning_content ?? '';
        text += delta?.content ?? '';
      }
      expect(reasoning).toBe('thinking about: think first');
      expect(text).toBe('echo: think first');
    });

    it("returns Gemini's thought signature on the next turn, whatever the client speaks", async () => {
      const gemini = PROVIDER_CASES.find((p) => p.model === 'gemini')!;
      const tools = [{ type: 'function' as const, function: weatherTool }];
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: TOOL_PROMPT }];
      const first = await openai().chat.completions.create({ model: 'gemini', messages, tools });
      const call = first.choices[0]!.message.tool_calls![0]!;
      await openai().chat.completions.create({
        model: 'gemini',
        tools,
        messages: [...messages, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
      });
      const contents = lastUpstream(matrix, gemini).body.contents as any[];
      const callPart = contents.flatMap((c) => c.parts).find((part: any) => part.functionCall);
      expect(callPart.thoughtSignature).toBe(MOCK_THOUGHT_SIGNATURE);
      expect(contents.flatMap((c) => c.parts).find((part: any) => part.functionResponse)?.functionResponse.name).toBe('get_weather');
    });
  });

  describe('a coding agent on the Messages API', () => {
    it('is served by an OpenAI model: cached system blocks, tools, thinking and betas, streamed', async () => {
      const openaiCase = PROVIDER_CASES[0]!;
      const stream = anthropic().messages.stream(
        {
          model: 'openai',
          max_tokens: 8192,
          stream: true,
          system: [
            { type: 'text', text: 'You are a coding agent.' },
            { type: 'text', text: 'Project rules.', cache_control: { type: 'ephemeral' } },
          ],
          thinking: { type: 'enabled', budget_tokens: 4096 },
          metadata: { user_id: 'user-42' },
          tools: [{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.parameters, cache_control: { type: 'ephemeral' } }],
          messages: [{ role: 'user', content: [{ type: 'text', text: TOOL_PROMPT, cache_control: { type: 'ephemeral' } }] }],
        },
        { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14,context-management-2025-06-27' } },
      );
      const message = await stream.finalMessage();
      expect(message.stop_reason).toBe('tool_use');
      expect(message.content.find((block) => block.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: TOOL_PROMPT } });

      const upstream = lastUpstream(matrix, openaiCase).body;
      expect(upstream.messages[0]).toEqual({ role: 'system', content: 'You are a coding agent.\n\nProject rules.' });
      expect(upstream.user).toBe('user-42');
      // gpt-4o-mini cannot reason: the thinking request is reported, not sent to get a 400.
      expect(upstream).not.toHaveProperty('reasoning_effort');
      const warnings = (await stream.withResponse()).response.headers.get('x-routerly-warnings');
      expect(warnings).toContain('unsupported:reasoning');
      expect(warnings).toContain('unsupported:anthropic-beta:context-management-2025-06-27');
      expect(warnings).not.toContain('interleaved-thinking');
    });
  });

  describe('vendor dialects', () => {
    it("sends Mistral its own names, on the same-format path too", async () => {
      const mistral = PROVIDER_CASES.find((p) => p.model === 'mistral')!;
      await openai().chat.completions.create({ model: 'mistral', seed: 7, max_completion_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
      const body = lastUpstream(matrix, mistral).body;
      expect(body).toMatchObject({ random_seed: 7, max_tokens: 50 });
      expect(body).not.toHaveProperty('seed');
      expect(body).not.toHaveProperty('max_completion_tokens');
    });
  });

  describe('Responses API', () => {
    it("is forwarded as is to OpenAI models, so OpenAI's stored conversations work there", async () => {
      const openaiCase = PROVIDER_CASES[0]!;
      const first = await openai().responses.create({ model: 'openai', input: 'remember me' });
      expect(lastUpstream(matrix, openaiCase).path).toBe('/v1/responses');
      const second = await openai().responses.create({ model: 'openai', input: 'and now?', previous_response_id: first.id });
      expect(second.output_text).toBe('echo: and now?');
      expect(lastUpstream(matrix, openaiCase).body.previous_response_id).toBe(first.id);
    });

    it('refuses previous_response_id with a 400 for other models: the gateway stores no responses', async () => {
      const error = await openai()
        .responses.create({ model: 'anthropic', input: 'and now?', previous_response_id: 'resp_123' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as Error).message).toContain('previous_response_id');
    });
  });

  describe('parameters without an equivalent', () => {
    it('are listed in x-routerly-warnings, and refused by a strict project', async () => {
      const body = { model: 'anthropic', messages: [{ role: 'user' as const, content: 'hi' }], logprobs: true };
      const { response } = await openai().chat.completions.create(body).withResponse();
      expect(response.headers.get('x-routerly-warnings')).toContain('logprobs');
      const error = await openai(matrix.strictProject.token)
        .chat.completions.create(body)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as Error).message).toContain('logprobs');
    });

    it('are not reported on same-format calls, which go through untouched', async () => {
      const { response } = await openai()
        .chat.completions.create({ model: 'openai', messages: [{ role: 'user', content: 'hi' }], logprobs: true })
        .withResponse();
      expect(response.headers.get('x-routerly-warnings')).toBeNull();
      expect(lastUpstream(matrix, PROVIDER_CASES[0]!).body.logprobs).toBe(true);
    });
  });

  describe('embeddings', () => {
    it.each(['openai', 'gemini', 'cohere', 'mistral'])('%s answers OpenAI embeddings, as floats and as base64', async (model) => {
      const floats = await openai().embeddings.create({ model, input: ['alpha', 'beta gamma'], encoding_format: 'float' });
      expect(floats.object).toBe('list');
      expect(floats.data.map((d) => d.index)).toEqual([0, 1]);
      expect(floats.data[0]!.embedding).toEqual(mockEmbedding('alpha', floats.data[0]!.embedding.length));
      expect(floats.data[1]!.embedding).toEqual(mockEmbedding('beta gamma', floats.data[1]!.embedding.length));
      // The openai SDK asks for base64 by default and decodes the float32 bytes itself.
      const packed = await openai().embeddings.create({ model, input: 'alpha' });
      const expected = mockEmbedding('alpha', packed.data[0]!.embedding.length);
      packed.data[0]!.embedding.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5));
    });

    it("records Gemini's embeddings as unreported usage, not as free", async () => {
      const { response } = await openai().embeddings.create({ model: 'gemini', input: 'alpha', encoding_format: 'float' }).withResponse();
      expect(await env.recordOf(response.headers.get('x-routerly-request-id'))).toMatchObject({ usageReported: false, outcome: 'ok' });
    });

    it('is refused with a 400 for a model whose provider has none', async () => {
      const error = await openai()
        .embeddings.create({ model: 'anthropic', input: 'alpha' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    });
  });

  describe('count_tokens', () => {
    it.each(['gemini', 'openai', 'cohere'])('is a flagged estimate for %s models, with no upstream call', async (model) => {
      const params = { model, messages: [{ role: 'user' as const, content: 'count these words please' }] };
      const { data, response } = await anthropic().messages.countTokens(params).withResponse();
      expect(data.input_tokens).toBeGreaterThan(3);
      expect(response.headers.get('x-routerly-warnings')).toMatch(/^estimated:input_tokens/);
      expect(matrix.keyed.requests).toHaveLength(0);
    });

    it('is the provider count for Anthropic models', async () => {
      const params = { model: 'anthropic', messages: [{ role: 'user' as const, content: 'count these words please' }] };
      const { data, response } = await anthropic().messages.countTokens(params).withResponse();
      expect(data.input_tokens).toBe(mockAnthropicTokenCount(lastUpstream(matrix, PROVIDER_CASES[1]!).body));
      expect(response.headers.get('x-routerly-warnings')).toBeNull();
    });
  });
}
