import type { UpstreamRequest } from '../../ir/codec.js';
import type { UpstreamTarget } from '../../ir/target.js';
import { memberValueText, removeMember, setMember } from '../../json/members.js';
import { isRecord } from '../../json/record.js';
import { baseUpstreamHeaders } from '../shared.js';
import type { ForwardInput } from '../types.js';
import { OPENAI_COMPATIBLE_VENDORS, type OpenAICompatibleProfile } from './vendors.js';
import type { HeaderMap } from '../../http/header-fields.js';

/** Puts the model's key where the vendor looks for it; no key (Ollama) sends nothing. */
export function setVendorAuth(headers: HeaderMap, model: UpstreamTarget, profile: OpenAICompatibleProfile): void {
  if (!model.apiKey) return;
  if (profile.auth === 'api-key') headers.set('api-key', model.apiKey);
  else headers.set('authorization', `Bearer ${model.apiKey}`);
}

/**
 * Builds the call to an OpenAI-compatible `/chat/completions`. The body is the client's,
 * byte for byte, with `model` swapped and the vendor's renames applied (Mistral's
 * `random_seed`); for streams it also asks for the usage chunk where the vendor accepts
 * that, which is how the gateway costs streamed calls (and which it hides again if the
 * client did not ask for it: see stream.ts).
 */
export function buildOpenAIRequest(
  input: ForwardInput,
  profile: OpenAICompatibleProfile = OPENAI_COMPATIBLE_VENDORS.openai,
): { request: UpstreamRequest; injectedUsage: boolean } {
  const { model, parsed } = input;
  let body = setMember(input.body, 'model', JSON.stringify(model.upstreamModel));
  body = applyRenames(body, parsed, profile.renames);
  // A vendor without the option (Mistral) refuses the member outright but reports stream
  // usage on its last chunk anyway, so the client still gets what include_usage asks for.
  if (!profile.streamUsageOption && Object.hasOwn(parsed, 'stream_options')) body = removeMember(body, 'stream_options');
  const options = parsed.stream_options;
  const injectedUsage =
    profile.streamUsageOption && parsed.stream === true && !(isRecord(options) && options.include_usage === true);
  if (injectedUsage) {
    const merged = { ...(isRecord(options) ? options : {}), include_usage: true };
    body = setMember(body, 'stream_options', JSON.stringify(merged));
  }
  const headers = baseUpstreamHeaders(model, input.clientHeaders);
  setVendorAuth(headers, model, profile);
  return { request: { url: `${model.baseUrl}/chat/completions${input.search}`, headers, body }, injectedUsage };
}

/**
 * Same-format `/embeddings` or `/responses`: the client's body with `model` swapped, for
 * vendors that speak that OpenAI API exactly.
 */
export function buildOpenAIForwardRequest(input: ForwardInput, profile: OpenAICompatibleProfile, path: '/embeddings' | '/responses'): UpstreamRequest {
  const headers = baseUpstreamHeaders(input.model, input.clientHeaders);
  setVendorAuth(headers, input.model, profile);
  const body = setMember(input.body, 'model', JSON.stringify(input.model.upstreamModel));
  return { url: `${input.model.baseUrl}${path}${input.search}`, headers, body };
}

/**
 * Moves each renamed member's value text to its new name. When the client already sent the
 * vendor's own name, that one wins and the OpenAI-named member is removed: sending both
 * would be refused by a strict vendor.
 */
function applyRenames(body: string, parsed: Record<string, unknown>, renames: Readonly<Record<string, string>>): string {
  for (const [from, to] of Object.entries(renames)) {
    if (!Object.hasOwn(parsed, from)) continue;
    if (!Object.hasOwn(parsed, to)) body = setMember(body, to, memberValueText(body, from)!);
    body = removeMember(body, from);
  }
  return body;
}
