// Every client format against every provider, through the real server and the mock provider:
// text, streams, tools (definition, call, streamed arguments, result), images, JSON schema,
// usage in the client's own fields and in the gateway's records.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TokenUsage } from '../../src/providers/types.js';
import { waitForUsage } from '../support/gateway-client.js';
import { MOCK_THOUGHT_SIGNATURE, mockAnthropicTokenCount, mockEmbedding } from '../support/mock-provider.js';
import type { SuiteContext } from './context.js';
import { billedUsage, declaredTools, lastUpstream, mockOf, PROVIDER_CASES, setUpMatrix, type Matrix, type ProviderCase } from './matrix.js';

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};
const TOOL_PROMPT = 'please call tool for Paris';
/** A 1×1 PNG: it must reach every provider byte for byte, in that provider's image shape. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const schema = { type: 'object', properties: { routerly_field: { type: 'string' } }, required: ['routerly_field'], additionalProperties: false };

export function translationTests(ctx: SuiteContext): void {
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

  const openai = (token = matrix.project.token) => new OpenAI({ apiKey: token, baseURL: `${ctx.gateway.url}/v1`, maxRetries: 0 });
  const anthropic = () => new Anthropic({ apiKey: matrix.project.token, baseURL: ctx.gateway.url, maxRetries: 0 });

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

  async function expectRecorded(requestId: string | null, billed: TokenUsage, stream: boolean) {
    expect(await recordOf(requestId)).toMatchObject({ ...billed, stream, outcome: 'ok', usageReported: true });
  }

  describe.each(PROVIDER_CASES)('served by $model', (provider: ProviderCase) => {
    const model = provider.model;

    describe('Chat Completions client', () => {
      it('answers text with the usage the provider billed', async () => {
        const { data, response } = await openai()
          .chat.completions.create({ model, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there' }] })
          .withResponse();
        expect(data.object).toBe('chat.completion');
        expect(data.choices[0]!.message.content).toBe('echo: hello there');
        expect(data.choices[0]!.finish_reason).toBe('stop');
        const billed = billedUsage(lastUpstream(matrix, provider));
        expect(data.usage).toMatchObject({
          prompt_tokens: billed.inputTokens,
          completion_tokens: billed.outputTokens,
          total_tokens: billed.inputTokens + billed.outputTokens,
        });
        expect(data.usage?.prompt_tokens_details?.cached_tokens ?? 0).toBe(billed.cachedInputTokens);
        await expectRecorded(response.headers.get('x-routerly-request-id'), billed, false);
      });

      it('streams text and, when asked, a final usage chunk', async () => {
        const { data: stream, response } = await openai()
          .chat.completions.create({ model, messages: [{ role: 'user', content: 'stream me' }], stream: true, stream_options: { include_usage: true } })
          .withResponse();
        let text = '';
        let finish: string | null | undefined;
        let usage: OpenAI.CompletionUsage | undefined | null;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
          if (chunk.usage) usage = chunk.usage;
        }
        expect(text).toBe('echo: stream me');
        expect(finish).toBe('stop');
        const billed = billedUsage(lastUpstream(matrix, provider));
        expect(usage).toMatchObject({ prompt_tokens: billed.inputTokens, completion_tokens: billed.outputTokens });
        await expectRecorded(response.headers.get('x-routerly-request-id'), billed, true);
      });

      it('calls a tool, streams its arguments, and takes its result back', async () => {
        const tools = [{ type: 'function' as const, function: weatherTool }];
        const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: TOOL_PROMPT }];
        const first = await openai().chat.completions.create({ model, messages, tools });
        expect(declaredTools(lastUpstream(matrix, provider))).toEqual(['get_weather']);
        expect(first.choices[0]!.finish_reason).toBe('tool_calls');
        const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
        expect(call.function.name).toBe('get_weather');
        expect(JSON.parse(call.function.arguments)).toEqual({ city: TOOL_PROMPT });

        const stream = await openai().chat.completions.create({ model, messages, tools, stream: true });
        const streamed: { id?: string; name?: string; args: string }[] = [];
        let finish: string | null | undefined;
        for await (const chunk of stream) {
          for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
            const entry = (streamed[delta.index] ??= { args: '' });
            if (delta.id) entry.id = delta.id;
            if (delta.function?.name) entry.name = delta.function.name;
            entry.args += delta.function?.arguments ?? '';
          }
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
        expect(streamed).toHaveLength(1);
        expect(streamed[0]!.name).toBe('get_weather');
        expect(streamed[0]!.id).toBeTruthy();
        expect(JSON.parse(streamed[0]!.args)).toEqual({ city: TOOL_PROMPT });
        expect(finish).toBe('tool_calls');

        const followUp = await openai().chat.completions.create({
          model,
          tools,
          messages: [...messages, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' }],
        });
        const upstream = JSON.stringify(lastUpstream(matrix, provider).body);
        expect(upstream).toContain('sunny, 21 C');
        expect(upstream).toContain('get_weather');
        expect(followUp.choices[0]!.finish_reason).toBe('stop');
      });

      it('carries an image and a JSON schema to the provider', async () => {
        const answer = await openai().chat.completions.create({
          model,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'what is this?' },
                { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
              ],
            },
          ],
          response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
        });
        expect(answer.choices[0]!.message.content).toContain('what is this?');
        const upstream = JSON.stringify(lastUpstream(matrix, provider).body);
        expect(upstream).toContain(PNG_BASE64);
        expect(upstream).toContain('routerly_field');
      });
    });

    describe('Messages client', () => {
      it('answers text with the usage the provider billed', async () => {
        const { data, response } = await anthropic()
          .messages.create({ model, max_tokens: 200, system: 'be brief', messages: [{ role: 'user', content: 'hello there' }] })
          .withResponse();
        expect(data.type).toBe('message');
        expect(data.content).toEqual([expect.objectContaining({ type: 'text', text: 'echo: hello there' })]);
        expect(data.stop_reason).toBe('end_turn');
        const billed = billedUsage(lastUpstream(matrix, provider));
        expect(data.usage).toMatchObject({
          input_tokens: billed.inputTokens - billed.cachedInputTokens - billed.cacheWriteTokens,
          output_tokens: billed.outputTokens,
        });
        expect(data.usage.cache_read_input_tokens ?? 0).toBe(billed.cachedInputTokens);
        await expectRecorded(response.headers.get('x-routerly-request-id'), billed, false);
      });

      it('streams text and the final usage', async () => {
        const stream = anthropic().messages.stream({ model, max_tokens: 200, messages: [{ role: 'user', content: 'stream me' }] });
        const message = await stream.finalMessage();
        expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'echo: stream me' })]);
        expect(message.stop_reason).toBe('end_turn');
        const billed = billedUsage(lastUpstream(matrix, provider));
        expect(message.usage.output_tokens).toBe(billed.outputTokens);
        expect(message.usage.input_tokens).toBe(billed.inputTokens - billed.cachedInputTokens - billed.cacheWriteTokens);
      });

      it('uses a tool, streams its input, and takes the result back', async () => {
        const tools = [{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.parameters }];
        const messages: Anthropic.MessageParam[] = [{ role: 'user', content: TOOL_PROMPT }];
        const first = await anthropic().messages.create({ model, max_tokens: 200, messages, tools });
        expect(first.stop_reason).toBe('tool_use');
        const use = first.content.find((block) => block.type === 'tool_use')!;
        expect(use).toMatchObject({ name: 'get_weather', input: { city: TOOL_PROMPT } });

        const streamed = await anthropic().messages.stream({ model, max_tokens: 200, messages, tools }).finalMessage();
        expect(streamed.stop_reason).toBe('tool_use');
        expect(streamed.content.find((block) => block.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: TOOL_PROMPT } });

        const followUp = await anthropic().messages.create({
          model,
          max_tokens: 200,
          tools,
          messages: [
            ...messages,
            { role: 'assistant', content: first.content },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny, 21 C' }] },
          ],
        });
        expect(JSON.stringify(lastUpstream(matrix, provider).body)).toContain('sunny, 21 C');
        expect(followUp.stop_reason).toBe('end_turn');
      });

      it('carries an image to the provider', async () => {
        await anthropic().messages.create({
          model,
          max_tokens: 200,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'what is this?' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
              ],
            },
          ],
        });
        expect(JSON.stringify(lastUpstream(matrix, provider).body)).toContain(PNG_BASE64);
      });
    });

    describe('Responses client', () => {
      it('answers text with usage', async () => {
        const { data, response } = await openai()
          .responses.create({ model, instructions: 'be brief', input: 'hello there' })
          .withResponse();
        expect(data.object).toBe('response');
        expect(data.status).toBe('completed');
        expect(data.output_text).toBe('echo: hello there');
        const billed = billedUsage(lastUpstream(matrix, provider));
        expect(data.usage).toMatchObject({ input_tokens: billed.inputTokens, output_tokens: billed.outputTokens });
        await expectRecorded(response.headers.get('x-routerly-request-id'), billed, false);
      });

      it('streams the Responses event sequence', async () => {
        const stream = await openai().responses.create({ model, input: 'stream me', stream: true });
        const types: string[] = [];
        let text = '';
        let completed: OpenAI.Responses.Response | undefined;
        for await (const event of stream) {
          types.push(event.type);
          if (event.type === 'response.output_text.delta') text += event.delta;
          if (event.type === 'response.completed') completed = event.response;
        }
        expect(types[0]).toBe('response.created');
        expect(types).toContain('response.output_item.added');
        expect(types).toContain('response.content_part.added');
        expect(types).toContain('response.output_text.done');
        expect(types.at(-1)).toBe('response.completed');
        expect(text).toBe('echo: stream me');
        expect(completed?.output_text ?? completed?.output).toBeTruthy();
        expect(completed?.usage?.output_tokens).toBe(billedUsage(lastUpstream(matrix, provider)).outputTokens);
      });

      it('calls a function, streams its arguments, and takes its output back', async () => {
        const tools = [{ type: 'function' as const, strict: false, ...weatherTool }];
        const first = await openai().responses.create({ model, input: TOOL_PROMPT, tools });
        const call = first.output.find((item) => item.type === 'function_call')!;
        expect(call).toMatchObject({ name: 'get_weather' });
        expect(JSON.parse(call.arguments)).toEqual({ city: TOOL_PROMPT });

        const stream = await openai().responses.create({ model, input: TOOL_PROMPT, tools, stream: true });
        let args = '';
        let done: string | undefined;
        for await (const event of stream) {
          if (event.type === 'response.function_call_arguments.delta') args += event.delta;
          if (event.type === 'response.function_call_arguments.done') done = event.arguments;
        }
        expect(JSON.parse(args)).toEqual({ city: TOOL_PROMPT });
        expect(done).toBe(args);

        const followUp = await openai().responses.create({
          model,
          tools,
          input: [
            { role: 'user', content: TOOL_PROMPT },
            { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
            { type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21 C' },
          ],
        });
        expect(JSON.stringify(lastUpstream(matrix, provider).body)).toContain('sunny, 21 C');
        expect(followUp.status).toBe('completed');
      });
    });
  });

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
      const openaiStream = await openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'a b c d e f g h' }], stream: true });
      const openaiFailure = await (async () => {
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
