// The mock's Gemini API on the wire. @google/genai is not a project dependency, so these tests
// pin the bytes instead: pretty-printed JSON bodies, and `data: <compact JSON>\r\n\r\n` SSE
// chunks in the exact shape of recorded Gemini traffic (`{"key": value,"next": ...}`).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MOCK_CACHED_TOKENS, MOCK_THOUGHT_SIGNATURE, mockEmbedding, mockGeminiUsage, startMockProvider, type MockProvider } from '../mock-provider.js';

const KEY = 'gemini-mock-key';
let mock: MockProvider;

beforeAll(async () => {
  mock = await startMockProvider({ geminiKey: KEY });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

function post(pathAndQuery: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': KEY }): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${mock.geminiBaseUrl}${pathAndQuery}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
}

const request = {
  systemInstruction: { parts: [{ text: 'Be brief.' }] },
  contents: [{ role: 'user', parts: [{ text: 'hello there world' }] }],
};
const weatherTool = { functionDeclarations: [{ name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' }, days: { type: 'INTEGER' } } } }] };

/** Frames of an alt=sse body: each ends with \r\n\r\n. */
function sseFrames(text: string): string[] {
  expect(text.endsWith('\r\n\r\n')).toBe(true);
  return text.slice(0, -4).split('\r\n\r\n');
}

describe('generateContent', () => {
  it('answers with the echo, pretty-printed, with usage derived from the request', async () => {
    const response = await post('/models/gemini-test:generateContent', request);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const text = await response.text();
    const body = JSON.parse(text);
    // 'Be brief.\nhello there world' is 27 characters (7 tokens), plus the cached prefix; the echo is 23 (6 tokens).
    const usageMetadata = {
      promptTokenCount: 7 + MOCK_CACHED_TOKENS.gemini,
      candidatesTokenCount: 6,
      totalTokenCount: 33,
      cachedContentTokenCount: MOCK_CACHED_TOKENS.gemini,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 27 }],
      cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 20 }],
    };
    expect(body).toEqual({
      candidates: [{ content: { parts: [{ text: 'echo: hello there world' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata,
      modelVersion: 'gemini-test',
      responseId: expect.stringMatching(/^mockResponse\d{6}$/),
    });
    expect(mockGeminiUsage(request)).toEqual(usageMetadata);
    expect(text).toBe(JSON.stringify(body, null, 2));
    expect(text.startsWith('{\n  "candidates": [\n    {\n      "content": {\n        "parts": [')).toBe(true);
    expect(mock.requests[0]).toMatchObject({ method: 'POST', path: '/v1beta/models/gemini-test:generateContent', api: 'gemini', finished: true });
  });

  it('adds a thought part and signs the answer when thoughts are included', async () => {
    const body = { ...request, generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } } };
    const answer = await (await post('/models/gemini-test:generateContent', body)).json();
    expect(answer.candidates[0].content.parts).toEqual([
      { text: 'thinking about: hello there world', thought: true },
      { text: 'echo: hello there world', thoughtSignature: MOCK_THOUGHT_SIGNATURE },
    ]);
    expect(answer.usageMetadata).toMatchObject({ candidatesTokenCount: 6, thoughtsTokenCount: 9, totalTokenCount: 27 + 6 + 9 });
    expect(answer.usageMetadata).toEqual(mockGeminiUsage(body));
  });

  it('calls the first declared function with whole args and a thoughtSignature', async () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'call tool: Rome' }] }], tools: [weatherTool] };
    const answer = await (await post('/models/gemini-test:generateContent', body)).json();
    expect(answer.candidates[0]).toEqual({
      content: { parts: [{ functionCall: { name: 'get_weather', args: { city: 'call tool: Rome', days: 42 } }, thoughtSignature: MOCK_THOUGHT_SIGNATURE }], role: 'model' },
      finishReason: 'STOP',
      index: 0,
      finishMessage: 'Model generated function call(s).',
    });
  });

  it('echoes a functionResponse turn as the JSON of its response', async () => {
    const body = {
      contents: [
        { role: 'user', parts: [{ text: 'call tool' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }] },
      ],
    };
    const answer = await (await post('/models/gemini-test:generateContent', body)).json();
    expect(answer.candidates[0].content.parts).toEqual([{ text: 'echo: {"temp":21}' }]);
    // 'call tool' + '\n' + '' + '\n' + '{"temp":21}' = 22 characters.
    expect(answer.usageMetadata.promptTokenCount).toBe(6 + MOCK_CACHED_TOKENS.gemini);
  });

  it('cuts the answer at maxOutputTokens with finishReason MAX_TOKENS', async () => {
    const body = { ...request, generationConfig: { maxOutputTokens: 3 } };
    const answer = await (await post('/models/gemini-test:generateContent', body)).json();
    expect(answer.candidates[0]).toMatchObject({ content: { parts: [{ text: 'echo: hello ' }] }, finishReason: 'MAX_TOKENS' });
    expect(answer.usageMetadata.candidatesTokenCount).toBe(3);
  });
});

describe('streamGenerateContent?alt=sse', () => {
  it('sends compact JSON chunks framed by \\r\\n\\r\\n, each with the usage so far, finishReason on the last', async () => {
    const response = await post('/models/gemini-test:streamGenerateContent?alt=sse', request);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const frames = sseFrames(await response.text());
    const responseId = /"responseId": "(mockResponse\d{6})"/.exec(frames[0]!)?.[1];
    const tail = `"modelVersion": "gemini-test","responseId": "${responseId}"}`;
    const usage = (candidates: number) =>
      `"usageMetadata": {"promptTokenCount": 27,"candidatesTokenCount": ${candidates},"totalTokenCount": ${27 + candidates},"cachedContentTokenCount": 20,` +
      `"promptTokensDetails": [{"modality": "TEXT","tokenCount": 27}],"cacheTokensDetails": [{"modality": "TEXT","tokenCount": 20}]},`;
    expect(frames).toEqual([
      `data: {"candidates": [{"content": {"parts": [{"text": "echo: "}],"role": "model"},"index": 0}],${usage(2)}${tail}`,
      `data: {"candidates": [{"content": {"parts": [{"text": "hello "}],"role": "model"},"index": 0}],${usage(3)}${tail}`,
      `data: {"candidates": [{"content": {"parts": [{"text": "there "}],"role": "model"},"index": 0}],${usage(5)}${tail}`,
      `data: {"candidates": [{"content": {"parts": [{"text": "world"}],"role": "model"},"finishReason": "STOP","index": 0}],${usage(6)}${tail}`,
    ]);
    expect(JSON.parse(frames.at(-1)!.slice(6)).usageMetadata).toEqual(mockGeminiUsage(request));
    expect(mock.requests[0]?.query).toBe('alt=sse');
  });

  it('streams thoughts first (no candidates count yet), then the signed answer', async () => {
    const body = { ...request, generationConfig: { thinkingConfig: { includeThoughts: true } } };
    const chunks = sseFrames(await (await post('/models/gemini-test:streamGenerateContent?alt=sse', body)).text()).map((frame) => JSON.parse(frame.slice(6)));
    const parts = chunks.map((chunk) => chunk.candidates[0].content.parts[0]);
    expect(parts.filter((part) => part.thought).map((part) => part.text).join('')).toBe('thinking about: hello there world');
    expect(parts.filter((part) => !part.thought).map((part) => part.text).join('')).toBe('echo: hello there world');
    const firstText = parts.findIndex((part) => !part.thought);
    expect(parts[firstText]).toEqual({ text: 'echo: ', thoughtSignature: MOCK_THOUGHT_SIGNATURE });
    expect(chunks[0].usageMetadata.candidatesTokenCount).toBeUndefined();
    // The first thought piece is 'thinking ' (9 characters, 3 tokens).
    expect(chunks[0].usageMetadata.thoughtsTokenCount).toBe(3);
    expect(chunks.at(-1).usageMetadata).toEqual(mockGeminiUsage(body));
  });

  it('sends a function call whole, in one chunk', async () => {
    const body = { contents: [{ parts: [{ text: 'call tool: Rome' }] }], tools: [weatherTool] };
    const frames = sseFrames(await (await post('/models/gemini-test:streamGenerateContent?alt=sse', body)).text());
    expect(frames).toHaveLength(1);
    expect(frames[0]).toContain(
      `{"parts": [{"functionCall": {"name": "get_weather","args": {"city": "call tool: Rome","days": 42}},"thoughtSignature": "${MOCK_THOUGHT_SIGNATURE}"}],"role": "model"},"finishReason": "STOP"`,
    );
  });

  it('sends the chunks as one JSON array without alt=sse', async () => {
    const chunks = await (await post('/models/gemini-test:streamGenerateContent', request)).json();
    expect(chunks.map((chunk: { candidates: Array<{ content: { parts: Array<{ text: string }> } }> }) => chunk.candidates[0]?.content.parts[0]?.text).join('')).toBe(
      'echo: hello there world',
    );
  });
});

describe('validation and auth', () => {
  it('rejects bodies the API rejects, with 400 INVALID_ARGUMENT in Google error format', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, '* GenerateContentRequest.contents: contents is not specified\n'],
      [{ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, 'Please use a valid role: user, model.'],
      [{ contents: [{ role: 'user', parts: [] }] }, '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n'],
      [
        { contents: [{ role: 'user', parts: [{ text: 'x' }] }, { role: 'user', parts: [{ functionResponse: { response: {} } }] }] },
        '* GenerateContentRequest.contents[1].parts[0].function_response.name: Name cannot be empty.\n',
      ],
      [{ ...request, max_tokens: 5 }, 'Invalid JSON payload received. Unknown name "max_tokens": Cannot find field.'],
      [{ ...request, generationConfig: { max_tokens: 5 } }, `Invalid JSON payload received. Unknown name "max_tokens" at 'generation_config': Cannot find field.`],
      ['{not json', 'Invalid JSON payload received. Unexpected token.'],
    ];
    for (const [body, message] of cases) {
      const response = await post('/models/gemini-test:generateContent', body);
      expect([response.status, (await response.json()).error]).toEqual([400, expect.objectContaining({ code: 400, message, status: 'INVALID_ARGUMENT' })]);
    }
    // snake_case names are the same fields to the API.
    expect((await post('/models/gemini-test:generateContent', { contents: request.contents, generation_config: { max_output_tokens: 50 } })).status).toBe(200);
  });

  it('answers a missing key 403, a wrong key 400 API_KEY_INVALID, a bearer token 401; accepts ?key=', async () => {
    const missing = await post('/models/gemini-test:generateContent', request, {});
    expect([missing.status, (await missing.json()).error.status]).toEqual([403, 'PERMISSION_DENIED']);
    const wrong = await post('/models/gemini-test:generateContent', request, { 'x-goog-api-key': 'nope' });
    const wrongBody = await wrong.json();
    expect([wrong.status, wrongBody.error.message, wrongBody.error.details[0].reason]).toEqual([400, 'API key not valid. Please pass a valid API key.', 'API_KEY_INVALID']);
    const bearer = await post('/models/gemini-test:generateContent', request, { authorization: `Bearer ${KEY}` });
    expect([bearer.status, (await bearer.json()).error.status]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await post(`/models/gemini-test:generateContent?key=${KEY}`, request, {})).status).toBe(200);
  });

  it("sends an enqueued error as Google's pretty-printed status body", async () => {
    mock.enqueue({ kind: 'error', status: 429 });
    const response = await post('/models/gemini-test:generateContent', request);
    expect(response.status).toBe(429);
    expect(await response.text()).toBe('{\n  "error": {\n    "code": 429,\n    "message": "Resource has been exhausted (e.g. check quota).",\n    "status": "RESOURCE_EXHAUSTED"\n  }\n}');
  });
});

describe('embeddings and models', () => {
  it('embedContent and batchEmbedContents answer mockEmbedding of the text, at outputDimensionality', async () => {
    const single = await (await post('/models/gemini-embedding-001:embedContent', { content: { parts: [{ text: 'alpha' }] } })).json();
    expect(single).toEqual({ embedding: { values: mockEmbedding('alpha', 8) } });
    const batch = {
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'alpha' }] }, outputDimensionality: 3 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'beta' }, { text: 'gamma' }] }, taskType: 'RETRIEVAL_DOCUMENT' },
      ],
    };
    const many = await (await post('/models/gemini-embedding-001:batchEmbedContents', batch)).json();
    expect(many).toEqual({ embeddings: [{ values: mockEmbedding('alpha', 3) }, { values: mockEmbedding('beta\ngamma', 8) }] });

    const otherModel = await post('/models/gemini-embedding-001:batchEmbedContents', { requests: [{ ...batch.requests[0], model: 'models/other' }] });
    expect([otherModel.status, (await otherModel.json()).error.status]).toEqual([400, 'INVALID_ARGUMENT']);
  });

  it('lists models as models/<id>', async () => {
    const response = await fetch(`${mock.geminiBaseUrl}/models`, { headers: { 'x-goog-api-key': KEY } });
    expect((await response.json()).models.map((model: { name: string }) => model.name)).toContain('models/gemini-2.5-flash');
  });
});
