// count_tokens work is bounded per turn of the event loop (issue 8, item 1): the o200k_base
// counter hands gpt-tokenizer at most SEGMENT_BYTES at a time, cut where the pre-tokenizer
// always splits, and countInputTokens yields between installments through one shared Slicer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countTokens, encode } from 'gpt-tokenizer/encoding/o200k_base';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { describe, expect, it } from 'vitest';
import { isSafeCut, loadOpenAITokenizer, SEGMENT_BYTES, slicedCounter } from '../../adapters/node/tokenizer.js';
import type { CountTextTokens } from '../../src/deps.js';
import { GatewayError } from '../../src/errors.js';
import type { ChatRequest } from '../../src/ir/chat.js';
import { bytesEstimate, countInputTokens, estimateInputTokens, Slicer, utf8Length } from '../../src/ir/token-estimate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ordinary = { disallowedSpecial: new Set<string>() };
const exact = (text: string) => countTokens(text, ordinary);

/** A fixed-seed generator (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const randomText = (next: () => number, alphabet: readonly string[], length: number) => Array.from({ length }, () => pick(next, alphabet)).join('');
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');
const CJK = '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去过家学'.split('');

describe('o200k_base pre-tokenizer cuts', () => {
  it('are derived from this pattern, which gpt-tokenizer must still use', () => {
    // isSafeCut's rules read this pattern; a new one needs them read again.
    expect(O200K_TOKEN_SPLIT_REGEX.source).toBe(
      String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    );
  });

  it('split text into pieces whose tokens, end to end, are the whole text\'s tokens', () => {
    // Everything the rules tell apart: letters of every case (Lt, Lm, Lo), marks, digits of
    // other scripts, apostrophes and contractions, `/`, \r\n, spaces that are not ' ', lone
    // and paired surrogates, special tokens' spellings.
    const alphabet = [
      ...'abZQǅʰ中文é1٣½/!.,-(\'strdmlve'.split(''),
      '\u0301', '\u0308', ' ', ' ', '\t', '\n', '\r', '\r\n', '\u00a0', '\u3000', '\ufeff', '😀', '𝐀', '\ud83d', '\ude00',
      "'s", "'LL", ' \n', '//', '<|endoftext|>', 'https://x.y/z',
    ];
    const next = random(8);
    let cuts = 0;
    for (let round = 0; round < 20_000; round++) {
      const text = randomText(next, alphabet, 1 + Math.floor(next() * 14));
      const pieces: string[] = [];
      let last = 0;
      for (let cut = 1; cut < text.length; cut++) {
        if (!isSafeCut(text, cut)) continue;
        pieces.push(text.slice(last, cut));
        last = cut;
        cuts++;
      }
      pieces.push(text.slice(last));
      expect(pieces.flatMap((piece) => encode(piece, ordinary)), JSON.stringify(pieces)).toEqual(encode(text, ordinary));
    }
    expect(cuts).toBeGreaterThan(40_000);
  });
});

describe('the o200k_base counter', () => {
  it('counts prose, code and CJK exactly as gpt-tokenizer counts them whole', async () => {
    const count = await loadOpenAITokenizer();
    const next = random(3);
    const cjkProse = Array.from({ length: 4000 }, () => (next() < 0.1 ? pick(next, ['，', '。', '、', '！', '\n']) : pick(next, CJK))).join('');
    const texts = [
      readFileSync(path.join(ROOT, 'README.md'), 'utf8'),
      ['src/proxy/router.ts', 'src/ir/token-estimate.ts', 'adapters/node/tokenizer.ts', 'package.json'].map((file) => readFileSync(path.join(ROOT, file), 'utf8')).join('\n'),
      cjkProse,
      'Ünïcödé, emoji 😀👍🏽 and <|endoftext|> spelled out; it\'s   spaced\t\tout\r\n\r\n  ok',
    ];
    for (const text of texts) expect(count(text)).toBe(exact(text));
    // Long enough to be counted in several segments.
    for (const text of texts.slice(0, 3)) expect([...count.inSlices!(text)].length).toBeGreaterThan(4);
  });

  it('hands gpt-tokenizer at most SEGMENT_BYTES at a time, in order, never half a surrogate pair', () => {
    const seen: string[] = [];
    const counter = slicedCounter((text) => {
      seen.push(text);
      return 1;
    });
    const next = random(5);
    const hostile = [
      'a'.repeat(100_000),
      randomText(next, LETTERS, 50_000),
      randomText(next, CJK, 20_000),
      '😀'.repeat(20_000),
      'é' + '\u0301'.repeat(30_000),
      ' '.repeat(30_000) + 'x',
      '\n'.repeat(30_000),
      '1'.repeat(30_000),
      '!'.repeat(30_000),
      'a😀'.repeat(10_000),
    ];
    for (const text of hostile) {
      seen.length = 0;
      expect(counter(text)).toBe(seen.length);
      expect(seen.join('')).toBe(text);
      for (const piece of seen) {
        expect(utf8Length(piece)).toBeLessThanOrEqual(SEGMENT_BYTES);
        expect(piece).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
      }
    }
  });

  it('differs from counting a run whole only where it had to cut a run', async () => {
    const count = await loadOpenAITokenizer();
    // A run of one letter is cut into identical pieces that merge the same: exact.
    const run = 'a'.repeat(20_000);
    expect(count(run)).toBe(exact(run));
    // Digits are grouped in threes from the start of their run: cut between groups, exact.
    const digits = randomText(random(12), '0123456789'.split(''), 20_000);
    expect(count(digits)).toBe(exact(digits));
    const spaces = ' '.repeat(20_000) + 'x';
    expect(count(spaces)).toBe(exact(spaces));
    // Random letters lose a merge at some cuts: +0.02% to +0.04%.
    const letters = randomText(random(11), LETTERS, 20_000);
    const whole = exact(letters);
    expect(Math.abs(count(letters) - whole) / whole).toBeLessThan(0.002);
  });

  it('counts special tokens\' spellings as text, as a prompt holds them, instead of throwing', async () => {
    const count = await loadOpenAITokenizer();
    const text = 'before <|endoftext|> after <|im_start|>';
    expect(() => countTokens(text)).toThrow(/Disallowed special token/);
    expect(count(text)).toBe(encode(text, ordinary).length);
    expect(count(text)).toBeGreaterThan(6);
  });

  it('gives the same count at once and in installments', async () => {
    const count = await loadOpenAITokenizer();
    const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const parts = [...count.inSlices!(text)];
    expect(parts.length).toBeGreaterThan(10);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(count(text));
  });
});

const request: ChatRequest = {
  model: 'm',
  system: [{ type: 'text', text: 'You are terse.' }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'héllo wörld' },
        { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
        { type: 'document', source: { type: 'text', text: 'a document' } },
        { type: 'document', source: { type: 'base64', mediaType: 'application/pdf', data: 'QUJD'.repeat(100) } },
        { type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'result text' }, { type: 'image', source: { type: 'url', url: 'u' } }] },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', text: 'thinking it over', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'tool_call', id: 'c2', name: 'lookup', arguments: '{"q":"x"}' },
      ],
    },
  ],
  tools: [
    { name: 'lookup', description: 'looks up', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
    { name: 'ünïcode', description: undefined, parameters: {}, strict: true },
    { name: 'third', parameters: { type: 'object' } },
  ],
  responseFormat: { type: 'json_schema', name: 's', schema: { type: 'object' } },
  stop: [],
  stream: false,
  unsupported: [],
};

/** A fake tokenizer: one token a character, in installments of `step` characters, each advancing `clock`. */
function fakeTokenizer(step: number, onInstallment: () => void = () => {}): CountTextTokens {
  const count = (text: string) => text.length;
  return Object.assign(count, {
    *inSlices(text: string) {
      for (let i = 0; i < text.length; i += step) {
        onInstallment();
        yield Math.min(step, text.length - i);
      }
    },
  });
}

describe('countInputTokens', () => {
  it('is estimateInputTokens, by the byte rule and by a tokenizer, sliced or not', async () => {
    expect((await countInputTokens(request, undefined)).tokens).toBe(estimateInputTokens(request));
    const sync = (text: string) => text.length;
    expect((await countInputTokens(request, sync)).tokens).toBe(estimateInputTokens(request, sync));
    expect((await countInputTokens(request, fakeTokenizer(3))).tokens).toBe(estimateInputTokens(request, sync));
    const real = await loadOpenAITokenizer();
    expect(await countInputTokens(request, real)).toEqual({ tokens: estimateInputTokens(request, real), overTokenizerBudget: false });
  });

  it('measures long texts for the byte rule in slices, a surrogate pair across a slice boundary included', async () => {
    const text = 'a'.repeat((1 << 20) - 1) + '😀' + 'é'.repeat(1 << 20);
    const long: ChatRequest = { ...request, system: [], tools: [], responseFormat: undefined, messages: [{ role: 'user', content: [{ type: 'text', text }] }] };
    expect((await countInputTokens(long, undefined)).tokens).toBe(3 + bytesEstimate(text));
  });

  it('yields to the event loop between slices, and lets other timers run before it finishes', async () => {
    let clock = 0;
    const slicer = new Slicer(10, () => clock);
    let timerRan = false;
    const seenByInstallment: boolean[] = [];
    const tokenizer = fakeTokenizer(1, () => {
      clock += 4;
      seenByInstallment.push(timerRan);
    });
    setTimeout(() => (timerRan = true), 0);
    const text: ChatRequest = { ...request, system: [], tools: [], responseFormat: undefined, messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(30) }] }] };
    expect((await countInputTokens(text, tokenizer, { slicer })).tokens).toBe(33);
    // 10 ms a slice at 4 ms an installment: the first slice holds three installments, then the loop turns.
    expect(seenByInstallment.slice(0, 3)).toEqual([false, false, false]);
    expect(seenByInstallment.at(-1)).toBe(true);
  });

  it('yields between parts too, a body of a million small ones included', async () => {
    let clock = 0;
    const slicer = new Slicer(10, () => clock);
    let timerRan = false;
    const seenByText: boolean[] = [];
    const sync = (text: string) => {
      clock += 4;
      seenByText.push(timerRan);
      return text.length;
    };
    setTimeout(() => (timerRan = true), 0);
    const parts: ChatRequest = {
      ...request,
      system: [],
      tools: [],
      responseFormat: undefined,
      messages: [{ role: 'user', content: Array.from({ length: 12 }, () => ({ type: 'text' as const, text: 'x' })) }],
    };
    expect((await countInputTokens(parts, sync, { slicer })).tokens).toBe(3 + 12);
    expect(seenByText.slice(0, 3)).toEqual([false, false, false]);
    expect(seenByText.at(-1)).toBe(true);
  });

  it('gives one job at a time a slice, however many count at once', async () => {
    let clock = 0;
    const slicer = new Slicer(10, () => clock);
    const log: string[] = [];
    let turn = 0;
    const original = slicer.yield.bind(slicer);
    slicer.yield = async () => {
      await original();
      turn++;
    };
    const job = (name: string) =>
      countInputTokens(
        { ...request, system: [], tools: [], responseFormat: undefined, messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(12) }] }] },
        fakeTokenizer(1, () => {
          clock += 4;
          log.push(`${turn}:${name}`);
        }),
        { slicer },
      );
    await Promise.all([job('a'), job('b'), job('c')]);
    const byTurn = new Map<string, Set<string>>();
    const installments = new Map<string, number>();
    for (const entry of log) {
      const [at, name] = entry.split(':') as [string, string];
      (byTurn.get(at) ?? byTurn.set(at, new Set()).get(at)!).add(name);
      installments.set(at, (installments.get(at) ?? 0) + 1);
    }
    // Turn 0 starts every job (each stops after one installment once the slice is spent); every
    // later turn resumes a single job for one slice: three installments of 4 ms.
    expect([...byTurn.get('0')!].sort()).toEqual(['a', 'b', 'c']);
    for (const [at, names] of byTurn) {
      if (at === '0') continue;
      expect(names.size, `turn ${at}`).toBe(1);
      expect(installments.get(at)!, `turn ${at}`).toBeLessThanOrEqual(3);
    }
  });

  it('stops when the client goes away', async () => {
    let clock = 0;
    const slicer = new Slicer(10, () => clock);
    const controller = new AbortController();
    let installments = 0;
    const tokenizer = fakeTokenizer(1, () => {
      clock += 4;
      if (++installments === 5) controller.abort();
    });
    const long: ChatRequest = { ...request, system: [], tools: [], responseFormat: undefined, messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(1000) }] }] };
    const counted = countInputTokens(long, tokenizer, { slicer, signal: controller.signal });
    await expect(counted).rejects.toBeInstanceOf(GatewayError);
    await expect(counted).rejects.toMatchObject({ code: 'client_closed' });
    expect(installments).toBeLessThan(10);
  });

  it('counts past its tokenizer budget by the byte rule, and says so', async () => {
    const texts: ChatRequest = {
      ...request,
      system: [],
      tools: [],
      responseFormat: undefined,
      messages: [{ role: 'user', content: ['hello', 'world!!!!!!', 'ok'].map((text) => ({ type: 'text' as const, text })) }],
    };
    // 'hello' (5 bytes) fits the 10; 'world!!!!!!' (11) does not: ceil(11 / 4) = 3; 'ok' (2) still fits.
    expect(await countInputTokens(texts, fakeTokenizer(2), { tokenizerBytes: 10 })).toEqual({ tokens: 3 + 5 + 3 + 2, overTokenizerBudget: true });
    expect(await countInputTokens(texts, fakeTokenizer(2), { tokenizerBytes: 18 })).toEqual({ tokens: 3 + 5 + 11 + 2, overTokenizerBudget: false });
  });
});
