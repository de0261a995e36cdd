import { codeForStatus, errorResponse, GatewayError, type ErrorFormat } from '../errors.js';
import type { ProviderChatCodec } from '../ir/codec.js';
import type { SseEvent } from '../sse/parser.js';

/**
 * The provider error a stream's first event reports, read by a fresh decoder of the
 * provider's stream (the same one translation uses, so every provider's in-stream error
 * shape is known in one place), or by the codec's own `streamStartError`, which answers as that
 * decoder would without building the IR events it opens with (in process, judging a first event
 * by a decoder cost about 5% of a streamed call's CPU). A first event the decoder cannot read
 * counts as a broken answer: the call may still go elsewhere, since the client has seen nothing.
 */
export function firstEventError(codec: Pick<ProviderChatCodec, 'createStreamDecoder' | 'streamStartError'>, event: SseEvent): { status: number; message: string } | undefined {
  if (codec.streamStartError) return codec.streamStartError(event);
  try {
    for (const decoded of codec.createStreamDecoder().push(event)) {
      if (decoded.type === 'error') return { status: decoded.status, message: decoded.message };
    }
    return undefined;
  } catch (error) {
    return { status: 502, message: error instanceof GatewayError ? error.message : 'the provider sent a stream the gateway cannot read' };
  }
}

/** The client's error answer for a stream refused by its first event. */
export function startErrorResponse(format: Exclude<ErrorFormat, 'api'>, error: { status: number; message: string }, headers: Record<string, string>): Response {
  const status = error.status >= 400 && error.status <= 599 ? error.status : 502;
  return errorResponse(new GatewayError(codeForStatus(status), error.message, { status }), format, headers);
}
