// How the mock reads an OpenAI Responses request (POST /v1/responses): the text it bills as
// prompt, the text it answers to, its function tools, and the answer and usage that follow.
// Pure functions of the request body, exported so tests can compute what they expect to see.

import { MOCK_CACHED_TOKENS, mockAnswerFor, mockOutputTokens, mockTokenCount, type MockAnswer } from './answer.js';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Input items of a Responses request: a string input is one user message. */
export function responsesInputItems(body: unknown): Json[] {
  if (!isRecord(body)) return [];
  if (typeof body.input === 'string') return [{ type: 'message', role: 'user', content: body.input }];
  return Array.isArray(body.input) ? body.input.filter(isRecord) : [];
}

/** A message item: `type: 'message'`, or no type at all (EasyInputMessage: just role and content). */
function isMessage(item: Json): boolean {
  return item.type === 'message' || (item.type === undefined && typeof item.role === 'string');
}

/** Text of message content or of a function_call_output's output: a string, or the `text` of its parts (input_text, output_text...). */
function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isRecord)
    .flatMap((part) => (typeof part.text === 'string' ? [part.text] : []))
    .join('\n');
}

/**
 * The text the mock bills as prompt: `instructions` first, then the text of every message item
 * (any role) and the output of every function_call_output item, in order, joined with `\n`.
 * Function-call arguments, reasoning items, images and tool definitions do not count; neither
 * does the context a previous_response_id brings (the formula depends on the body alone).
 */
export function mockResponsesPromptText(body: unknown): string {
  const texts: string[] = [];
  if (isRecord(body) && typeof body.instructions === 'string') texts.push(body.instructions);
  for (const item of responsesInputItems(body)) {
    if (isMessage(item)) texts.push(partsText(item.content));
    else if (item.type === 'function_call_output') texts.push(partsText(item.output));
  }
  return texts.join('\n');
}

/**
 * The text the mock answers to: the string input, or the text of the last message item when it is
 * a user message. When function_call_output items come after the last message, their outputs
 * (joined with `\n`) are that text instead, as tool results are in the other mocks. Otherwise ''.
 */
export function responsesLastUserText(body: unknown): string {
  const items = responsesInputItems(body);
  const outputs: string[] = [];
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index]!;
    if (item.type === 'function_call_output') outputs.unshift(partsText(item.output));
    else if (isMessage(item)) {
      if (outputs.length > 0) break;
      return item.role === 'user' ? partsText(item.content) : '';
    }
  }
  return outputs.join('\n');
}

/** Function tools ({type:'function', name, parameters}); built-in tools (web_search...) are ignored. */
function functionTools(body: unknown): Array<{ name: string; parameters: unknown }> {
  if (!isRecord(body) || !Array.isArray(body.tools)) return [];
  return body.tools.filter(isRecord).flatMap((tool) => (tool.type === 'function' && typeof tool.name === 'string' ? [{ name: tool.name, parameters: tool.parameters }] : []));
}

/** Reasoning is asked with `reasoning: {effort}` (or `{summary}`), except effort 'none'. */
export function responsesReasoningAsked(body: unknown): boolean {
  if (!isRecord(body) || !isRecord(body.reasoning)) return false;
  const { effort, summary } = body.reasoning;
  if (effort === 'none') return false;
  return typeof effort === 'string' || typeof summary === 'string';
}

/**
 * What the mock answers to a Responses request, with the same rules as the other APIs (see
 * mockAnswerFor): a call of the first function tool when the text it answers to contains
 * TOOL_CALL_TRIGGER, else `echo: <text>`. The reasoning is apart: mockResponsesReasoning.
 */
export function mockResponsesAnswer(body: unknown): MockAnswer {
  const text = responsesLastUserText(body);
  // The same decision as a chat request with this one user message and these tools.
  const chatBody = {
    messages: [{ role: 'user', content: text }],
    tools: functionTools(body).map((tool) => ({ type: 'function', function: { name: tool.name, parameters: tool.parameters } })),
  };
  return mockAnswerFor('openai', chatBody);
}

/** The reasoning summary that comes before the answer (a text or a tool call) when reasoning is asked: `thinking about: <text>`. */
export function mockResponsesReasoning(body: unknown): string | undefined {
  return responsesReasoningAsked(body) ? `thinking about: ${responsesLastUserText(body)}` : undefined;
}

/**
 * The `usage` of a Responses answer (non-streamed, and in response.completed):
 * input_tokens = mockTokenCount(mockResponsesPromptText(body)) + MOCK_CACHED_TOKENS.openai,
 * input_tokens_details.cached_tokens = MOCK_CACHED_TOKENS.openai,
 * output_tokens = mockOutputTokens(mockResponsesAnswer(body)) + reasoning_tokens,
 * output_tokens_details.reasoning_tokens = mockTokenCount(reasoning summary) (0 without reasoning),
 * total_tokens = input_tokens + output_tokens.
 */
export function mockResponsesUsage(body: unknown) {
  const answer = mockResponsesAnswer(body);
  const reasoningTokens = mockTokenCount(mockResponsesReasoning(body) ?? '');
  const inputTokens = mockTokenCount(mockResponsesPromptText(body)) + MOCK_CACHED_TOKENS.openai;
  const outputTokens = mockOutputTokens(answer) + reasoningTokens;
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: MOCK_CACHED_TOKENS.openai },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: inputTokens + outputTokens,
  };
}
