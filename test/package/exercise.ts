/**
 * What every embedding is put through: the management API sets up two models (OpenAI and
 * Anthropic, both the mock provider) and a project, then the official clients call through the
 * embedding, streamed and not, and the usage of each call is recorded.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { expect } from 'vitest';
import { adminClient, createModel, createProject, NAMED_MODEL_ONLY, waitForUsage, type AdminClient } from '../support/gateway-client.js';
import type { MockProvider } from '../support/mock-provider.js';

/** Milliseconds between the chunks of the slow stream: a server that buffers the answer shows no gap. */
const CHUNK_DELAY_MS = 150;

export interface Exercised {
  admin: AdminClient;
  projectId: string;
  token: string;
}

/** `base`: where the gateway answers (`http://host/llm` when mounted under /llm). */
export async function exerciseGateway(base: string, mock: MockProvider): Promise<Exercised> {
  const admin = await adminClient(base);
  await createModel(admin, { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: 'sk-mock', pricing: { input: 1, output: 2 } });
  await createModel(admin, { id: 'claude', provider: 'anthropic', baseUrl: mock.anthropicBaseUrl, apiKey: 'sk-mock', pricing: { input: 3, output: 15 } });
  const project = await createProject(admin, 'embedded', ['gpt', 'claude'], NAMED_MODEL_ONLY);

  const openai = new OpenAI({ apiKey: project.token, baseURL: `${base}/v1`, maxRetries: 0 });
  const chat = await openai.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'hello from openai' }] });
  expect(chat.choices[0]!.message.content).toBe('echo: hello from openai');

  // Streamed through the embedding as it comes: the pieces arrive over time, not all at the end.
  mock.enqueue({ kind: 'slowStream', chunkDelayMs: CHUNK_DELAY_MS, chunks: 4 }, { model: 'gpt' });
  const arrivals: number[] = [];
  let streamed = '';
  const stream = await openai.chat.completions.create({ model: 'gpt', stream: true, messages: [{ role: 'user', content: 'stream this answer please' }] });
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta.content;
    if (!text) continue;
    streamed += text;
    arrivals.push(performance.now());
  }
  expect(streamed).toBe('echo: stream this answer please');
  expect(arrivals.length).toBeGreaterThanOrEqual(4);
  expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(2 * CHUNK_DELAY_MS);

  const anthropic = new Anthropic({ apiKey: project.token, baseURL: base, maxRetries: 0 });
  const message = await anthropic.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hello from anthropic' }] });
  expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'echo: hello from anthropic' })]);
  const streamedMessage = await anthropic.messages
    .stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'a streamed message' }] })
    .finalMessage();
  expect(streamedMessage.content).toEqual([expect.objectContaining({ type: 'text', text: 'echo: a streamed message' })]);

  const usage = await waitForUsage(admin, project.id, 4);
  expect(usage.records.map((record: { model: string }) => record.model).sort()).toEqual(['claude', 'claude', 'gpt', 'gpt']);
  expect(usage.totals.costUsd).toBeGreaterThan(0);
  return { admin, projectId: project.id, token: project.token };
}
