import type { CountTextTokens } from '../../src/index.js';

/**
 * OpenAI's o200k_base encoding (GPT-4o, GPT-4.1, GPT-5, the o-series), for count_tokens on
 * OpenAI models. gpt-tokenizer is a pure-JS port of tiktoken; imported on first use since
 * its ranks are megabytes of JavaScript to parse.
 */
export async function loadOpenAITokenizer(): Promise<CountTextTokens> {
  const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
  return (text) => countTokens(text);
}
