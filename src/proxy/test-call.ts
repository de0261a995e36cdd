import { utf8 } from '../crypto/encoding.js';
import type { ResolvedModel } from '../config/state.js';
import { GatewayError } from '../errors.js';
import type { UpstreamAnswer } from '../http/upstream.js';
import type { ChatRequest } from '../ir/chat.js';
import type { Services } from '../services.js';
import { costUsd } from '../usage/cost.js';
import { UpstreamCall } from './upstream.js';
import type { ClientPresence } from '../http/client-presence.js';

/** What a test call asks: short, so it costs next to nothing on any model. */
export const TEST_PROMPT = 'Reply with the word ok.';
export const TEST_MAX_OUTPUT_TOKENS = 16;
/** A provider's error message is shown as it came, up to this long. */
const MAX_MESSAGE_LENGTH = 2000;

export type ModelTestResult =
  | {
      ok: true;
      latencyMs: number;
      text: string;
      /** null when the provider reported no usage: unknown, not zero. */
      usage: { inputTokens: number; outputTokens: number } | null;
      /** By the model's pricing (0 without pricing); null when usage went unreported. */
      costUsd: number | null;
    }
  | {
      ok: false;
      latencyMs: number;
      /** The provider's HTTP status, when it answered at all. */
      status?: number;
      /** The provider's own error type and message; for a failure without an answer, the cause (`upstream_unreachable`, `total_timeout`, …). */
      error: { type?: string; message: string };
    };

/** `text` without the model's key, should a provider echo it back in an error message. */
function withoutKey(text: string, apiKey: string | undefined): string {
  const scrubbed = apiKey && apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
  return scrubbed.length > MAX_MESSAGE_LENGTH ? `${scrubbed.slice(0, MAX_MESSAGE_LENGTH)}…` : scrubbed;
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
}

/**
 * One minimal chat call to `model`, through the same provider codecs and upstream call (timeouts,
 * answer cap, the outbound address guard in `services.upstream`) as a proxied call, to tell whether
 * the model's settings work. It is not routed, not charged to any budget and not recorded as
 * usage, and it leaves the routing statistics alone: it is the operator's check, not traffic.
 * It never throws for what the provider does; the answer says what happened.
 */
export async function testModelCall(services: Services, model: ResolvedModel, client?: ClientPresence): Promise<ModelTestResult> {
  const request: ChatRequest = {
    model: model.config.id,
    system: [],
    messages: [{ role: 'user', content: [{ type: 'text', text: TEST_PROMPT }] }],
    tools: [],
    stop: [],
    maxOutputTokens: TEST_MAX_OUTPUT_TOKENS,
    stream: false,
    unsupported: [],
  };
  const started = services.now();
  const latency = () => services.now() - started;
  const codec = model.provider.chat;
  const call = new UpstreamCall(model.timeouts, client, undefined, services.upstreamLimits);
  let upstream: UpstreamAnswer;
  try {
    upstream = await call.send(services.upstream, codec.encodeRequest(request, model, new Headers()).request, false);
  } catch (error) {
    call.finish();
    const failure = error instanceof GatewayError ? error : call.failure();
    return { ok: false, latencyMs: latency(), error: { type: call.cause ?? failure.code, message: failure.message } };
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await call.readBody(upstream);
  } catch (error) {
    const failure = error instanceof GatewayError ? error : call.failure();
    return { ok: false, latencyMs: latency(), status: upstream.status, error: { type: call.cause ?? failure.code, message: failure.message } };
  }
  const body = parseJson(bytes);
  if (upstream.status < 200 || upstream.status > 299) {
    const details = model.provider.readError(body);
    const message = details?.message ? withoutKey(details.message, model.apiKey) : `the provider answered HTTP ${upstream.status} with no error message it could read`;
    return { ok: false, latencyMs: latency(), status: upstream.status, error: { ...(details?.type ? { type: details.type } : {}), message } };
  }
  try {
    const answer = codec.decodeResponse(body);
    const text = answer.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
    const usage = answer.usage;
    return {
      ok: true,
      latencyMs: latency(),
      text,
      usage: usage ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } : null,
      costUsd: usage ? costUsd(usage, model.config.pricing) : null,
    };
  } catch (error) {
    const message = error instanceof GatewayError ? error.message : 'the provider answered with a body that is not a chat answer';
    return { ok: false, latencyMs: latency(), status: upstream.status, error: { type: 'invalid_answer', message } };
  }
}
