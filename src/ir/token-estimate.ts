import type { CountTextTokens } from '../deps.js';
import { GatewayError } from '../errors.js';
import type { ChatRequest, Part } from './chat.js';

/**
 * An estimate of a request's prompt tokens, for `count_tokens` on providers that have no
 * counting API. The rules, documented in the README:
 * - text: counted by the model family's tokenizer when the gateway has it (OpenAI models on
 *   Node: o200k_base), else one token per 4 bytes of UTF-8, the rule of thumb OpenAI and
 *   Anthropic both publish;
 * - each message: 3 tokens of framing, as OpenAI's cookbook counts chat messages;
 * - each image: 1,600 tokens, Anthropic's documented ceiling for one image (the gateway does
 *   not decode images to learn their size);
 * - documents, tool definitions and the response schema: their text or JSON by the text rule.
 * It leans high rather than low, so a budget checked against it errs on the safe side.
 */
export const ESTIMATE_RULES = { bytesPerToken: 4, tokensPerMessage: 3, tokensPerImage: 1600 } as const;

/** Code units measured per encodeInto: their worst case, 3 bytes each, fits the scratch buffer. */
const MEASURE_CHUNK = 32 * 1024;
const encoder = new TextEncoder();
/** Where encodeInto writes what utf8Length measures: made on first use, then reused. */
let scratch: Uint8Array | undefined;

/**
 * The UTF-8 length of a string, as TextEncoder encodes it (a lone surrogate as U+FFFD, 3 bytes).
 * Routing measures every text of a prompt it estimates, and a budgeted call's twice (the estimate
 * and the bound): encodeInto into one reused buffer copies nothing per call and runs natively,
 * measured 20 to 40 times faster than counting code units in a loop on ASCII text, 3 times on
 * mixed scripts.
 */
export function utf8Length(text: string): number {
  const into = (scratch ??= new Uint8Array(MEASURE_CHUNK * 3));
  if (text.length <= MEASURE_CHUNK) return encoder.encodeInto(text, into).written;
  let bytes = 0;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + MEASURE_CHUNK, text.length);
    // A pair cut between two chunks would be measured as two replacement characters.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    bytes += encoder.encodeInto(text.substring(start, end), into).written;
    start = end;
  }
  return bytes;
}

/** The rule of thumb for text, when no tokenizer of the model's family is at hand. */
export function bytesEstimate(text: string): number {
  return Math.ceil(utf8Length(text) / ESTIMATE_RULES.bytesPerToken);
}

/**
 * A part's share of the estimate: texts to count (`text`) and fixed numbers of tokens
 * (`fixed`). With the order below (system, then each message's 3 and parts, then the JSON of
 * tools and of the response schema), the rules of both estimateInputTokens and countInputTokens.
 */
function walkPart(part: Part, text: (text: string) => void, fixed: (tokens: number) => void): void {
  switch (part.type) {
    case 'text':
    case 'thinking':
      return text(part.text);
    case 'redacted_thinking':
      return text(part.data);
    case 'image':
      return fixed(ESTIMATE_RULES.tokensPerImage);
    case 'document': {
      const source = part.source;
      if (source.type === 'text') return text(source.text);
      // base64 carries 3 bytes in 4 characters.
      if (source.type === 'base64') return fixed(Math.ceil((source.data.length * 3) / 4 / ESTIMATE_RULES.bytesPerToken));
      return fixed(ESTIMATE_RULES.tokensPerImage);
    }
    case 'tool_call':
      text(part.name);
      return text(part.arguments);
    case 'tool_result':
      for (const inner of part.content) walkPart(inner, text, fixed);
  }
}

/** `textTokens` counts text: a real tokenizer where the model's family has one, else the byte rule. */
export function estimateInputTokens(request: ChatRequest, textTokens: (text: string) => number = bytesEstimate): number {
  let tokens = 0;
  const text = (text: string) => (tokens += textTokens(text));
  const fixed = (fixed: number) => (tokens += fixed);
  for (const part of request.system) walkPart(part, text, fixed);
  for (const message of request.messages) {
    tokens += ESTIMATE_RULES.tokensPerMessage;
    for (const part of message.content) walkPart(part, text, fixed);
  }
  if (request.tools.length > 0) tokens += textTokens(JSON.stringify(request.tools));
  if (request.responseFormat?.type === 'json_schema') tokens += textTokens(JSON.stringify(request.responseFormat.schema));
  return tokens;
}

/**
 * Cooperative time-slicing of long work on the event loop, shared by every job that uses the
 * same Slicer (countInputTokens uses one per process): work checks `due()` between bounded
 * steps and, once the current turn has had `sliceMs`, awaits `yield()`. Waiting jobs resume
 * one per turn of the event loop, in order, so however many run at once, the loop is held for
 * about one slice (plus one step of each job just started) before other requests get a turn.
 */
export class Slicer {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;
  private turnStarted: number;

  constructor(
    readonly sliceMs: number = 10,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.turnStarted = now();
  }

  /** The current turn has had its share of the event loop. */
  due(): boolean {
    return this.now() - this.turnStarted >= this.sliceMs;
  }

  /** Resolves in a later turn of the event loop, after I/O has been served. */
  yield(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // A timer, not a microtask: the loop polls I/O (other requests) before it fires.
    setTimeout(() => this.resumeNext(), 0);
  }

  private resumeNext(): void {
    this.scheduled = false;
    const resume = this.waiting.shift();
    if (this.waiting.length > 0) this.schedule();
    this.turnStarted = this.now();
    resume?.();
  }
}

/** The event loop is one per process (isolate): so is the slicer its count_tokens work shares. */
const SHARED_SLICER = new Slicer();

export interface CountOptions {
  /** Stops the count (it rejects with a client_closed GatewayError) once this aborts: the client went away. */
  signal?: AbortSignal;
  /** Defaults to the one shared by every count in this gateway. */
  slicer?: Slicer;
  /** UTF-8 bytes of text the tokenizer counts in one request; see COUNT_LIMITS. */
  tokenizerBytes?: number;
}

export const COUNT_LIMITS = {
  /**
   * A tokenizer counts at most this much text of one request: 4 MiB, about a million tokens of
   * English, as much as the largest OpenAI context window. A text that would take the request
   * past it is counted by the byte rule instead. The limit bounds the work one request can ask
   * for: o200k_base in gpt-tokenizer spends up to ~3 µs per byte (random letters, CJK), so a
   * 32 MiB body of them would otherwise hold a core for a minute and a half, sliced or not.
   */
  tokenizerBytes: 4 * 1024 * 1024,
} as const;

export interface InputTokenCount {
  tokens: number;
  /** Some text went by the byte rule, not the tokenizer, for the request had more than `tokenizerBytes` of it. */
  overTokenizerBudget: boolean;
}

/**
 * estimateInputTokens for count_tokens, where the request may be the largest body the gateway
 * accepts: the same count, in slices between which other requests are served (issue 8). A
 * tokenizer that offers `inSlices` hands back bounded installments (adapters/node/tokenizer.ts);
 * lengths for the byte rule are measured a megabyte at a time.
 */
export async function countInputTokens(
  request: ChatRequest,
  tokenizer: CountTextTokens | undefined,
  options: CountOptions = {},
): Promise<InputTokenCount> {
  const { signal, slicer = SHARED_SLICER } = options;
  let tokenizerBytes = options.tokenizerBytes ?? COUNT_LIMITS.tokenizerBytes;
  const pause = async (): Promise<void> => {
    await slicer.yield();
    if (signal?.aborted) throw new GatewayError('client_closed', 'the client closed the request before its tokens were counted');
  };
  const measureLong = async (text: string): Promise<number> => {
    let bytes = 0;
    for (const [start, end] of codeUnitRanges(text, BYTES_SLICE_CHARS)) {
      bytes += utf8Length(text.slice(start, end));
      if (slicer.due()) await pause();
    }
    return bytes;
  };

  let tokens = 0;
  let overTokenizerBudget = false;
  /** Counts a text of `bytes` UTF-8 bytes, made by `make` only if the tokenizer is to read it. */
  const countMeasured = async (make: () => string, bytes: number): Promise<void> => {
    if (tokenizer && bytes <= tokenizerBytes) {
      tokenizerBytes -= bytes;
      const text = make();
      if (tokenizer.inSlices) {
        for (const part of tokenizer.inSlices(text)) {
          tokens += part;
          if (slicer.due()) await pause();
        }
      } else tokens += tokenizer(text);
    } else {
      if (tokenizer) overTokenizerBudget = true;
      tokens += Math.ceil(bytes / ESTIMATE_RULES.bytesPerToken);
    }
  };
  const measure = (text: string): number | Promise<number> => (text.length <= BYTES_SLICE_CHARS ? utf8Length(text) : measureLong(text));
  const count = async (text: string): Promise<void> => countMeasured(() => text, await measure(text));

  // estimateInputTokens' walk, a part at a time: a body can hold a million of them.
  const texts: string[] = [];
  const fixed = (fixed: number) => (tokens += fixed);
  const walk = async (part: Part): Promise<void> => {
    walkPart(part, (text) => texts.push(text), fixed);
    for (const text of texts.splice(0)) await count(text);
    if (slicer.due()) await pause();
  };
  for (const part of request.system) await walk(part);
  for (const message of request.messages) {
    tokens += ESTIMATE_RULES.tokensPerMessage;
    for (const part of message.content) await walk(part);
  }
  if (request.tools.length > 0) {
    // JSON.stringify(request.tools) a tool at a time: the same text, `[`, the tools' JSON joined
    // by `,`, then `]`, put together only when the tokenizer is to read it.
    const pieces: string[] = [];
    let bytes = request.tools.length + 1;
    for (const tool of request.tools) {
      const json = JSON.stringify(tool);
      pieces.push(json);
      bytes += await measure(json);
      if (slicer.due()) await pause();
    }
    await countMeasured(() => `[${pieces.join(',')}]`, bytes);
  }
  if (request.responseFormat?.type === 'json_schema') await count(JSON.stringify(request.responseFormat.schema));
  return { tokens, overTokenizerBudget };
}

/** utf8Length measures a few hundred megabytes a second: a megabyte is a few ms at most. */
const BYTES_SLICE_CHARS = 1 << 20;

/** [start, end) of consecutive ranges of at most `size` code units, never between the halves of a surrogate pair. */
function* codeUnitRanges(text: string, size: number): Generator<[number, number], void, undefined> {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + size, text.length);
    const high = text.charCodeAt(end - 1);
    if (end < text.length && high >= 0xd800 && high <= 0xdbff && end - 1 > start) end--;
    yield [start, end];
    start = end;
  }
}
