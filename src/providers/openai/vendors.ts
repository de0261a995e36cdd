import type { ReasoningEffort } from '../../ir/chat.js';

/**
 * What sets one OpenAI-compatible vendor apart from OpenAI itself, as data: the Chat
 * Completions mapping (codec.ts), the byte-for-byte passthrough (request.ts) and embeddings
 * all read these profiles, so adding a vendor is adding an entry here.
 *
 * Where a vendor's documentation or SDK did not settle a question, the entry takes the
 * choice that cannot get a request refused (not sending the parameter, and reporting it as
 * dropped) and says so.
 */
export interface OpenAICompatibleProfile {
  readonly id: string;
  /** Base URL including the version segment (`…/v1`); undefined when each model must set one. */
  readonly defaultBaseUrl?: string;
  /** `bearer`: `Authorization: Bearer KEY`. `api-key`: Azure's `api-key: KEY` header. Nothing is sent without a key. */
  readonly auth: 'bearer' | 'api-key';
  /** Whether `stream_options: {include_usage: true}` is accepted (vendors that reject unknown members refuse it). */
  readonly streamUsageOption: boolean;
  readonly maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** The name the vendor gives the sampling seed. */
  readonly seedField: 'seed' | 'random_seed';
  /**
   * How reasoning is asked for: OpenAI's `reasoning_effort` (with the values the vendor
   * accepts, ordered from least to most), OpenRouter's `reasoning` object, or not at all.
   */
  readonly reasoning:
    | {
        readonly style: 'reasoning_effort';
        readonly efforts: readonly ReasoningEffort[];
        /**
         * The models known to take `reasoning_effort`, by upstream name, for models whose
         * `capabilities.thinking` is unset: the others refuse the parameter with a 400
         * (gpt-4o, gpt-4.1), so it is reported dropped rather than sent. Undefined: send it.
         */
        readonly models?: RegExp;
      }
    | { readonly style: 'openrouter' }
    | { readonly style: 'none' };
  /** Whether assistant history may carry thinking back as `reasoning_details` (OpenRouter's convention). */
  readonly reasoningDetails: boolean;
  /** Whether `file` content parts (PDF as `file_data`, or `file_id`) are accepted. */
  readonly fileParts: boolean;
  readonly jsonSchema: boolean;
  /** ChatRequest fields this vendor has no parameter for: reported as dropped. */
  readonly unsupported: readonly ('user' | 'metadata' | 'parallelToolCalls' | 'seed')[];
  /**
   * `nine-alphanumeric`: the vendor refuses tool call ids other than 9 letters or digits
   * (Mistral: "Tool call id was toolu_… but must be a-z, A-Z, 0-9, with a length of 9"), so
   * ids made by other providers are mapped to such ids in translated history.
   */
  readonly toolCallIds?: 'nine-alphanumeric';
  /** Passthrough renames of client (OpenAI) member names to the vendor's, applied to the body text. */
  readonly renames: Readonly<Record<string, string>>;
  /** Whether `/responses` (the Responses API) is served, so /v1/responses is forwarded as is; otherwise it is translated to Chat Completions. */
  readonly responsesApi?: boolean;
  /** `/embeddings`, when the vendor has it. */
  readonly embeddings?: {
    readonly dimensionsField: 'dimensions' | 'output_dimension';
    readonly user: boolean;
    /** Whether input may be token-id arrays rather than text. */
    readonly tokenInput: boolean;
  };
}

const OPENAI_EFFORTS: readonly ReasoningEffort[] = ['minimal', 'low', 'medium', 'high'];
const OPENAI_EMBEDDINGS = { dimensionsField: 'dimensions', user: true, tokenInput: true } as const;

const openai: OpenAICompatibleProfile = {
  id: 'openai',
  defaultBaseUrl: 'https://api.openai.com/v1',
  auth: 'bearer',
  streamUsageOption: true,
  maxTokensField: 'max_completion_tokens',
  seedField: 'seed',
  reasoning: { style: 'reasoning_effort', efforts: OPENAI_EFFORTS, models: /^(o\d|gpt-5|gpt-oss)/i },
  reasoningDetails: false,
  fileParts: true,
  jsonSchema: true,
  // `metadata` is refused unless `store: true`, which would keep the completion at OpenAI:
  // not something the gateway may switch on for a client that never asked.
  unsupported: ['metadata'],
  renames: {},
  embeddings: OPENAI_EMBEDDINGS,
  responsesApi: true,
};

export const OPENAI_COMPATIBLE_VENDORS = {
  openai,
  /** Azure OpenAI's v1 API: base `https://RESOURCE.openai.azure.com/openai/v1`, the model is the deployment name. */
  azure: { ...openai, id: 'azure', defaultBaseUrl: undefined, auth: 'api-key' },
  /** xAI documents `stream_options`, `seed`, `user`; `reasoning_effort` only on grok-3-mini models (low|high). */
  xai: {
    ...openai,
    responsesApi: false,
    id: 'xai',
    defaultBaseUrl: 'https://api.x.ai/v1',
    maxTokensField: 'max_tokens',
    reasoning: { style: 'reasoning_effort', efforts: ['low', 'high'], models: /^grok-3-mini/i },
    fileParts: false,
    unsupported: ['metadata'],
    // Not settled by its docs: treated as absent.
    embeddings: undefined,
  },
  /**
   * Mistral validates strictly (422 `extra_forbidden` on any unknown member, seen for
   * `stream_options` and `max_completion_tokens`) and reports usage in the last stream chunk
   * by itself. Its SDK's ChatCompletionRequest: `max_tokens`, `random_seed`, `metadata`,
   * `parallel_tool_calls`, `reasoning_effort`, no `user`; content parts have no `file` with data.
   */
  mistral: {
    id: 'mistral',
    defaultBaseUrl: 'https://api.mistral.ai/v1',
    auth: 'bearer',
    streamUsageOption: false,
    maxTokensField: 'max_tokens',
    seedField: 'random_seed',
    reasoning: { style: 'reasoning_effort', efforts: ['minimal', 'low', 'medium', 'high'] },
    reasoningDetails: false,
    fileParts: false,
    jsonSchema: true,
    unsupported: ['user'],
    toolCallIds: 'nine-alphanumeric',
    renames: { seed: 'random_seed', max_completion_tokens: 'max_tokens' },
    embeddings: { dimensionsField: 'output_dimension', user: false, tokenInput: false },
  },
  /**
   * Ollama's OpenAI-compatible API (no key needed; one configured is sent as Bearer for
   * proxies in front of it). It documents `stream_options.include_usage`, `seed`,
   * `max_tokens`, `reasoning_effort`, `/v1/embeddings` with `dimensions`; unknown members are
   * ignored, so `user` and `metadata` would be lost silently: they are reported instead.
   */
  ollama: {
    id: 'ollama',
    defaultBaseUrl: 'http://127.0.0.1:11434/v1',
    auth: 'bearer',
    streamUsageOption: true,
    maxTokensField: 'max_tokens',
    seedField: 'seed',
    reasoning: { style: 'reasoning_effort', efforts: ['low', 'medium', 'high'] },
    reasoningDetails: false,
    fileParts: false,
    jsonSchema: true,
    unsupported: ['user', 'metadata'],
    renames: {},
    embeddings: { dimensionsField: 'dimensions', user: false, tokenInput: false },
  },
  /** Any OpenAI-compatible endpoint: assumed to speak OpenAI's dialect, but `max_tokens` is the one every server knows. */
  custom: { ...openai, id: 'custom', defaultBaseUrl: undefined, maxTokensField: 'max_tokens', unsupported: [], responsesApi: false },
  /**
   * OpenRouter asks for reasoning with a `reasoning` object ({effort} or {max_tokens}) and
   * returns it as `reasoning` text plus `reasoning_details`, which must come back on later
   * turns for signed reasoning. Its embeddings API is not assumed.
   */
  openrouter: {
    ...openai,
    responsesApi: false,
    id: 'openrouter',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    maxTokensField: 'max_tokens',
    reasoning: { style: 'openrouter' },
    reasoningDetails: true,
    unsupported: ['metadata'],
    embeddings: undefined,
  },
  /**
   * Groq's SDK: `max_completion_tokens`, `seed`, `user`, `reasoning_effort`
   * (none|default|low|medium|high); `metadata` "not currently supported"; no
   * `stream_options` (usage arrives in `x_groq.usage` of the last chunk). No embedding models.
   */
  groq: {
    ...openai,
    responsesApi: false,
    id: 'groq',
    defaultBaseUrl: 'https://api.groq.com/openai/v1',
    streamUsageOption: false,
    reasoning: { style: 'reasoning_effort', efforts: ['low', 'medium', 'high'] },
    fileParts: false,
    unsupported: ['metadata'],
    embeddings: undefined,
  },
  /**
   * DeepSeek documents `max_tokens`, `stream_options`, `response_format` json_object only,
   * and returns `reasoning_content`; thinking is chosen by model, not `reasoning_effort`.
   * `seed`, `user`, `parallel_tool_calls` are not documented: not sent.
   */
  deepseek: {
    ...openai,
    responsesApi: false,
    id: 'deepseek',
    defaultBaseUrl: 'https://api.deepseek.com/v1',
    maxTokensField: 'max_tokens',
    reasoning: { style: 'none' },
    fileParts: false,
    jsonSchema: false,
    unsupported: ['user', 'metadata', 'parallelToolCalls', 'seed'],
    embeddings: undefined,
  },
  /**
   * Together: `max_tokens`, `seed`, `reasoning_effort` for its reasoning models, and
   * `/v1/embeddings`. Usage comes in the last stream chunk by itself; `stream_options` is not
   * documented, so it is not sent.
   */
  together: {
    ...openai,
    responsesApi: false,
    id: 'together',
    defaultBaseUrl: 'https://api.together.xyz/v1',
    streamUsageOption: false,
    maxTokensField: 'max_tokens',
    reasoning: { style: 'reasoning_effort', efforts: ['low', 'medium', 'high'] },
    fileParts: false,
    unsupported: ['user', 'metadata'],
    embeddings: { dimensionsField: 'dimensions', user: false, tokenInput: false },
  },
} satisfies Record<string, OpenAICompatibleProfile>;

export type OpenAICompatibleVendor = keyof typeof OPENAI_COMPATIBLE_VENDORS;

/** The effort to send: the asked one when the vendor takes it, else the nearest stronger one (or the strongest). */
export function vendorEffort(efforts: readonly ReasoningEffort[], wanted: ReasoningEffort): ReasoningEffort | undefined {
  if (efforts.includes(wanted)) return wanted;
  const order: ReasoningEffort[] = ['minimal', 'low', 'medium', 'high'];
  const stronger = efforts.find((effort) => order.indexOf(effort) > order.indexOf(wanted));
  return stronger ?? efforts.at(-1);
}
