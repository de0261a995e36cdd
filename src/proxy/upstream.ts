import type { Timeouts } from '../config/schemas.js';
import { GatewayError } from '../errors.js';
import type { ClientPresence } from '../http/client-presence.js';
import type { UpstreamAnswer, UpstreamControl, UpstreamSend } from '../http/upstream.js';
import type { UpstreamRequest } from '../providers/types.js';

export type AbortCause = 'client_aborted' | 'connect_timeout' | 'total_timeout' | 'idle_timeout' | 'deadline' | 'refused' | 'too_large';

/** Default caps on what a provider may send (GatewaySettings.maxUpstreamBodyBytes, maxUpstreamEventBytes). */
export const DEFAULT_UPSTREAM_LIMITS = { bodyBytes: 64 * 1024 * 1024, eventBytes: 8 * 1024 * 1024 } as const;

/**
 * One call to a provider and everything that may end it early: the client going away, the
 * model's connect, total and idle timeouts, and the call's overall deadline (which clips the
 * timeouts of every attempt). Whoever ends it says why, so the error and the usage record
 * can tell a timeout from a disconnect. It is the call's UpstreamControl: the sender and the
 * relay register what cancelling means for them, and nothing is built until it happens.
 */
export class UpstreamCall implements UpstreamControl {
  cause: AbortCause | undefined;
  /** Whether the provider's response headers have arrived. */
  answered = false;
  /** Whether this attempt asked for a stream (UpstreamControl.stream), set when it is sent. */
  stream = false;
  private readonly totalTimer: ReturnType<typeof setTimeout>;
  /** What cancelling the call runs (UpstreamControl.onCancel), until it is cancelled. */
  private cancelListeners: ((reason: Error) => void)[] | undefined;

  /** Stops listening for the client leaving, once the exchange is over. */
  private readonly stopListening: (() => void) | undefined;

  constructor(
    private readonly timeouts: Required<Timeouts>,
    client: ClientPresence | undefined,
    /** What is left of the call's deadline, in ms (undefined: none). */
    private readonly remainingMs: number | undefined,
    /** The caps on the provider's answer. */
    readonly limits: { bodyBytes: number; eventBytes: number } = DEFAULT_UPSTREAM_LIMITS,
  ) {
    if (client?.gone) this.abort('client_aborted');
    else if (client) this.stopListening = client.onGone(() => this.abort('client_aborted'));
    const byDeadline = remainingMs !== undefined && remainingMs < timeouts.totalMs;
    this.totalTimer = setTimeout(() => this.abort(byDeadline ? 'deadline' : 'total_timeout'), byDeadline ? remainingMs : timeouts.totalMs);
  }

  /** Whether the call was cancelled (by a timeout, the client, a cap or a refusal). */
  get aborted(): boolean {
    return this.cause !== undefined;
  }

  onCancel(callback: (reason: Error) => void): void {
    if (this.cause !== undefined) callback(new Error(this.cause));
    else (this.cancelListeners ??= []).push(callback);
  }

  abort(cause: AbortCause): void {
    if (this.cause !== undefined) return;
    this.cause = cause;
    const listeners = this.cancelListeners;
    this.cancelListeners = undefined;
    if (!listeners) return;
    const reason = new Error(cause);
    for (const listener of listeners) {
      try {
        listener(reason);
      } catch {
        // One listener's failure must not keep the others from cancelling.
      }
    }
  }

  /** Clears the timers once the exchange is over, however it ended. */
  finish(): void {
    clearTimeout(this.totalTimer);
    // An attempt that failed over must not keep a listener on the client for the rest of the call.
    this.stopListening?.();
  }

  /** Sends the request; resolves with the answer once its headers are in. */
  async send(send: UpstreamSend, request: UpstreamRequest, stream: boolean): Promise<UpstreamAnswer> {
    // A non-streamed answer's headers only come after the whole generation, so the
    // connect timeout can only bound streams; the total timeout bounds everything.
    const remaining = this.remainingMs;
    const connectMs = this.timeouts.connectMs;
    const connectTimer =
      stream && (remaining === undefined || connectMs <= remaining) ? setTimeout(() => this.abort('connect_timeout'), connectMs) : undefined;
    this.stream = stream;
    try {
      const answer = await send(request, this);
      this.answered = true;
      return answer;
    } catch {
      this.finish();
      throw this.failure();
    } finally {
      clearTimeout(connectTimer);
    }
  }

  /**
   * Reads a whole non-streamed body under the same timeouts, and no more than the body cap:
   * past it the upstream call is aborted (a declared content-length past it, before reading).
   */
  async readBody(answer: UpstreamAnswer): Promise<Uint8Array<ArrayBuffer>> {
    const limit = this.limits.bodyBytes;
    try {
      // A declared length past the cap fails before a byte is read.
      if (Number(answer.header('content-length')) > limit) {
        this.abort('too_large');
        answer.cancel();
        throw this.failure();
      }
      const body = await answer.bytes(limit);
      if (body) return body;
      this.abort('too_large');
      throw this.failure();
    } catch (error) {
      throw error instanceof GatewayError ? error : this.failure();
    } finally {
      this.finish();
    }
  }

  /** The client-facing error for a call that failed or was cut short. */
  failure(): GatewayError {
    switch (this.cause) {
      case 'connect_timeout':
        return new GatewayError('upstream_timeout', `the provider did not answer within ${this.timeouts.connectMs} ms`);
      case 'total_timeout':
        return new GatewayError('upstream_timeout', `the provider did not finish within ${this.timeouts.totalMs} ms`);
      case 'idle_timeout':
        return new GatewayError('upstream_timeout', `the provider's stream was silent for ${this.timeouts.idleMs} ms`);
      case 'too_large':
        return new GatewayError('upstream_error', `the provider's answer exceeded the gateway's limit (${this.limits.bodyBytes} bytes whole, ${this.limits.eventBytes} per stream event)`);
      case 'deadline':
        return new GatewayError('upstream_timeout', `the call's deadline passed before the provider finished`);
      case 'client_aborted':
        return new GatewayError('upstream_error', 'the client closed the request');
      default:
        // Once the provider has answered, a broken connection is a broken answer, not an unreachable provider.
        return this.answered
          ? new GatewayError('upstream_error', 'the connection to the provider broke while it was answering')
          : new GatewayError('upstream_unreachable', 'the provider could not be reached');
    }
  }
}
