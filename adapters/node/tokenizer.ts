import type { CountTextTokens } from '../../src/index.js';

/**
 * OpenAI's o200k_base encoding (GPT-4o, GPT-4.1, GPT-5, the o-series), for count_tokens on
 * OpenAI models. gpt-tokenizer is a pure-JS port of tiktoken; imported on first use since
 * its ranks are megabytes of JavaScript to parse.
 *
 * Counting runs on the event loop, so no installment of it may take long (see slicedCounter):
 * gpt-tokenizer's BPE merge is quadratic in the length of one pre-token, and a run of
 * letters without a space is one pre-token (160,000 random letters took 16 s in one call).
 * Loading holds the loop once, for ~0.2 s (parsing the ranks and building their maps).
 */
export async function loadOpenAITokenizer(): Promise<CountTextTokens> {
  const { countTokens, setMergeCacheSize } = await import('gpt-tokenizer/encoding/o200k_base');
  // The library's LRU of merged pre-tokens evicts with `map.keys().next()`, which V8 makes
  // slower the more entries were deleted since the map's last rehash: at the default 100,000
  // entries, text of distinct words (random identifiers) got up to 10 times slower the more of
  // it was counted. A few thousand entries keep the gain on real text without that.
  setMergeCacheSize(MERGE_CACHE_SIZE);
  // Special tokens' spellings (`<|endoftext|>`) in a client's text are text, as OpenAI counts
  // them in a prompt; gpt-tokenizer's default is to throw on them.
  const ordinary = { disallowedSpecial: new Set<string>() };
  return slicedCounter((text) => countTokens(text, ordinary));
}

const MERGE_CACHE_SIZE = 2000;

/**
 * The most UTF-8 bytes of text counted in one call. gpt-tokenizer spends about 1.5-3 µs per byte
 * of text it has not seen before (random letters, CJK) and its merge is quadratic in the length
 * of a pre-token: on the 2-core development machine under load, one call on the worst 1,024
 * bytes took ~1.5 ms of CPU (2,048 bytes: up to 8 ms; 4,096: 15 ms), ordinary prose ~0.1 ms.
 */
export const SEGMENT_BYTES = 1024;

/**
 * A counter over `countExact` (gpt-tokenizer's count) that hands it at most `segmentBytes` of
 * UTF-8 at a time, whatever the input, and offers the pieces' counts as `inSlices`.
 *
 * The text is cut at *safe cuts* (isSafeCut): positions where the o200k pre-tokenizer always
 * splits, whatever follows, so the segments' counts add up to exactly the count of the whole.
 * Prose, code and JSON have one every few characters. Only a stretch of `segmentBytes` without
 * any (a run of one letter, of digits or spaces, CJK without punctuation) is cut where the
 * limit falls, and BPE cannot merge across that cut: the count can move by a token at a cut:
 * +0.02% on random letters, +0.04% on random mixed case, +0.01% on random CJK; a run of one
 * letter, of spaces or of digits (cut between its groups of three) comes out exact.
 */
export function slicedCounter(countExact: (text: string) => number, segmentBytes: number = SEGMENT_BYTES): CountTextTokens {
  function* inSlices(text: string): Generator<number, void, undefined> {
    for (const [start, end] of segments(text, segmentBytes)) {
      yield countExact(start === 0 && end === text.length ? text : text.slice(start, end));
    }
  }
  const count = (text: string): number => {
    let total = 0;
    for (const part of inSlices(text)) total += part;
    return total;
  };
  return Object.assign(count, { inSlices });
}

/** [start, end) of consecutive segments of `text`, each at most `maxBytes` of UTF-8, cut at safe cuts where possible. */
export function* segments(text: string, maxBytes: number): Generator<[number, number], void, undefined> {
  let start = 0;
  while (start < text.length) {
    const end = segmentEnd(text, start, Math.max(maxBytes, 4));
    yield [start, end];
    start = end;
  }
}

function segmentEnd(text: string, start: number, maxBytes: number): number {
  // The furthest end within maxBytes, never between the halves of a surrogate pair.
  let limit = start;
  for (let bytes = 0; limit < text.length; ) {
    const code = text.charCodeAt(limit);
    const pair = isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(limit + 1));
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes > maxBytes) break;
    limit += pair ? 2 : 1;
  }
  if (limit >= text.length) return text.length;
  // The last safe cut before the limit. Linear overall: the stretch this walks back over has
  // no safe cut, so the next segment's walk stops at its start at the latest.
  for (let cut = limit; cut > start; cut--) if (isSafeCut(text, cut)) return cut;
  // None: cut at the limit. In a run of digits, which the pre-tokenizer groups in threes from
  // the run's start (or from this segment's start, itself such a cut), a cut between two groups
  // changes nothing.
  if (isBmpDigit(text, limit - 1) && isBmpDigit(text, limit)) {
    let run = limit - 1;
    while (run > start && isBmpDigit(text, run - 1)) run--;
    const between = run + Math.floor((limit - run) / 3) * 3;
    if (between > start) return between;
  }
  return limit;
}

function isBmpDigit(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return !isHighSurrogate(code) && !isLowSurrogate(code) && kindAt(text, index) === 'number';
}

function splitsPair(text: string, at: number): boolean {
  return isHighSurrogate(text.charCodeAt(at - 1)) && isLowSurrogate(text.charCodeAt(at));
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

type Kind = 'letter' | 'mark' | 'number' | 'newline' | 'space' | 'other';
const KIND = /(\p{L})|(\p{M})|(\p{N})|([\r\n])|(\s)/uy;

function kindOf(match: RegExpExecArray | null): Kind {
  if (match === null) return 'other';
  if (match[1] !== undefined) return 'letter';
  if (match[2] !== undefined) return 'mark';
  if (match[3] !== undefined) return 'number';
  if (match[4] !== undefined) return 'newline';
  return 'space';
}

/** ASCII's kinds, looked up: a run of one letter walks back over a whole segment. */
const ASCII_KINDS: readonly Kind[] = Array.from({ length: 0x80 }, (_, code) => {
  KIND.lastIndex = 0;
  return kindOf(KIND.exec(String.fromCharCode(code)));
});

/** The kind of the code point at `index` (the first of a surrogate pair). */
function kindAt(text: string, index: number): Kind {
  const code = text.charCodeAt(index);
  if (code < 0x80) return ASCII_KINDS[code]!;
  KIND.lastIndex = index;
  return kindOf(KIND.exec(text));
}

const APOSTROPHE = 0x27;
const SLASH = 0x2f;

/**
 * Whether o200k_base's pre-tokenizer splits `text` at `cut` whatever comes after it, having
 * read nothing past the character at `cut` to decide the pre-token before it: then counting
 * text.slice(0, cut) and text.slice(cut) apart gives the count of the whole. The pattern (see
 * the test that pins it) is, in order of preference:
 *
 *   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:'s|'t|'re|'ve|'m|'ll|'d)?
 *   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:'s|'t|'re|'ve|'m|'ll|'d)?
 *   \p{N}{1,3}  |  ?[^\s\p{L}\p{N}]+[\r\n/]*  |  \s*[\r\n]+  |  \s+(?!\S)  |  \s+
 *
 * so, by the character before the cut:
 * - a letter is in a letters pre-token, which goes on only with letters, marks or a contraction;
 * - a digit is in a group of up to three digits, which a non-digit ends;
 * - \r or \n ends a pre-token unless more \r, \n (or, after punctuation, `/`) or whitespace follows;
 * - punctuation or a mark ends its pre-token before a digit or a space other than \r and \n
 *   (before a letter it may be the letters' prefix);
 * - a space may belong to the pre-token after it (` x`) or depend on what follows (`\s+(?!\S)`):
 *   never cut there.
 */
export function isSafeCut(text: string, cut: number): boolean {
  if (cut <= 0 || cut >= text.length) return true;
  if (splitsPair(text, cut)) return false;
  const beforeIndex = cut >= 2 && isLowSurrogate(text.charCodeAt(cut - 1)) && isHighSurrogate(text.charCodeAt(cut - 2)) ? cut - 2 : cut - 1;
  const before = kindAt(text, beforeIndex);
  const after = kindAt(text, cut);
  const next = text.charCodeAt(cut);
  switch (before) {
    case 'letter':
      return after !== 'letter' && after !== 'mark' && next !== APOSTROPHE;
    case 'number':
      return after !== 'number';
    case 'newline':
      return after !== 'newline' && after !== 'space' && next !== SLASH;
    case 'mark':
    case 'other':
      return after === 'number' || after === 'space';
    case 'space':
      return false;
  }
}
