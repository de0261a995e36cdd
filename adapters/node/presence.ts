import type { ServerResponse } from 'node:http';
import type { ClientPresence } from '../../src/index.js';

/**
 * The client of one node:http response (RequestContext.client): gone once the response was
 * destroyed before it finished, which is what a hang-up does to it. Reading it costs nothing, and
 * a listener is only put on the response when the gateway first asks to hear of the client
 * leaving: no AbortController or EventTarget per request (see src/http/client-presence.ts).
 */
export class ResponsePresence implements ClientPresence {
  private listeners: Array<() => void> | undefined;

  constructor(private readonly outgoing: ServerResponse) {}

  get gone(): boolean {
    return this.outgoing.destroyed && !this.outgoing.writableFinished;
  }

  onGone(listener: () => void): () => void {
    if (!this.listeners) {
      this.listeners = [];
      this.outgoing.on('close', () => this.closed());
    }
    this.listeners.push(listener);
    return () => {
      const listeners = this.listeners;
      const at = listeners ? listeners.indexOf(listener) : -1;
      if (at >= 0) listeners!.splice(at, 1);
    };
  }

  private closed(): void {
    const listeners = this.listeners;
    this.listeners = [];
    if (this.outgoing.writableFinished || !listeners) return;
    for (const listener of listeners) listener();
  }
}
