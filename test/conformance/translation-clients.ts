// Every client API against every provider, through the real server and the mock provider:
// text, streams, tools (definition, call, streamed arguments, result), images, JSON schema,
// usage in the client's own fields and in the gateway's records.

import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { billedUsage, declaredTools, lastUpstream, PROVIDER_CASES, type ProviderCase } from './matrix.js';
import { jsonSchema, PNG_BASE64, TOOL_PROMPT, weatherTool, type TranslationEnv } from './translation-env.js';

export function clientMatrixTests(env: TranslationEnv): void {
  const { matrix, openai, anthropic, expectRecorded } = env;
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
          response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: jsonSchema, strict: true } },
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

}
