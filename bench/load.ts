// Closed-loop HTTP load: N workers, each sending its next request as soon as the previous one
// has been read to the end, over N keep-alive connections. node:http rather than fetch so that
// the client's own overhead stays small and steady.

import { Agent, request } from 'node:http';

export interface LoadTarget {
  /** Full URL of the endpoint, e.g. http://127.0.0.1:1234/v1/chat/completions */
  url: string;
  headers: Record<string, string>;
  body: string;
  /** A streamed answer is only a success when it ends with the [DONE] frame. */
  streamed: boolean;
}

export interface LoadResult {
  /** Requests that finished inside the measured window, failures included. */
  requests: number;
  errors: number;
  /** Examples of what went wrong (at most 5), to make a failing run explainable. */
  errorSamples: string[];
  /** Successful requests' latencies in ms (request sent -> last byte read), unsorted. */
  latencies: number[];
  /** Successful requests' time to first byte in ms (request sent -> first body chunk read), unsorted. */
  ttfbs: number[];
  /**
   * Where each counted `run` (a slice) ends in `latencies`: slice i holds the latencies from
   * sliceEnds[i - 1] (or 0) to sliceEnds[i]. Slices of different targets taken in the same round
   * of measureRows saw the machine in the same state.
   */
  sliceEnds: number[];
  elapsedMs: number;
  /**
   * Every request that finished during the counted slices, including those that finished just
   * after a slice's end (not counted above): the work the servers did while the slices ran,
   * which is what their CPU time over the slices is divided by.
   */
  completed: number;
}

interface Outcome {
  ok: boolean;
  ms: number;
  /** When the first chunk of the body arrived (ms after sending); NaN when none did. */
  ttfbMs: number;
  error?: string;
}

function sendOne(agent: Agent, target: LoadTarget, url: URL, timeoutMs: number): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let ttfbMs = Number.NaN;
    const finish = (ok: boolean, error?: string) => resolve({ ok, ms: performance.now() - started, ttfbMs, ...(error ? { error } : {}) });
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { ...target.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(target.body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (chunks.length === 0) ttfbMs = performance.now() - started;
          chunks.push(chunk);
        });
        res.on('error', (error) => finish(false, `response: ${error.message}`));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return finish(false, `status ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`);
          const tail = Buffer.concat(chunks).toString('utf8').slice(-32);
          if (target.streamed && !tail.includes('data: [DONE]')) return finish(false, 'stream ended without [DONE]');
          finish(true);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => finish(false, `request: ${error.message}`));
    req.end(target.body);
  });
}

/**
 * Load against one target, run in slices: each `run` keeps `concurrency` workers busy for a
 * while, over the same keep-alive connections, and adds to the totals when asked to. Slicing
 * lets the benchmark interleave targets, so that drift on a shared machine (other processes,
 * CPU frequency, JIT) spreads over all of them instead of penalising whichever ran first.
 * A request counts in the slice it finishes in.
 */
/**
 * Connections idle longer than this are not reused: Node's servers close a keep-alive connection
 * idle for 5 s (http.Server keepAliveTimeout), and a request sent on one as it closes fails with
 * "socket hang up". Slices of several targets taken in turn leave each target idle for seconds.
 */
const MAX_IDLE_REUSE_MS = 4_000;

export class LoadSession {
  private readonly url: URL;
  private agent: Agent;
  private lastRunEnd = Number.NEGATIVE_INFINITY;
  private readonly totals: LoadResult = { requests: 0, errors: 0, errorSamples: [], latencies: [], ttfbs: [], sliceEnds: [], elapsedMs: 0, completed: 0 };

  constructor(
    private readonly target: LoadTarget,
    private readonly concurrency: number,
  ) {
    this.url = new URL(target.url);
    this.agent = this.newAgent();
  }

  private newAgent(): Agent {
    return new Agent({ keepAlive: true, maxSockets: this.concurrency, maxFreeSockets: this.concurrency });
  }

  /** Fresh connections when the kept ones may be closing under us (see MAX_IDLE_REUSE_MS). */
  private refreshIdleConnections(): void {
    if (performance.now() - this.lastRunEnd <= MAX_IDLE_REUSE_MS) return;
    this.agent.destroy();
    this.agent = this.newAgent();
  }

  async run(durationMs: number, counted: boolean): Promise<void> {
    this.refreshIdleConnections();
    const stopAt = performance.now() + durationMs;
    const worker = async () => {
      while (performance.now() < stopAt) {
        const outcome = await sendOne(this.agent, this.target, this.url, 10_000);
        if (!counted) continue;
        this.totals.completed += 1;
        if (performance.now() > stopAt) continue;
        this.count(outcome);
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    this.lastRunEnd = performance.now();
    // Only requests finishing inside the slice were counted, so the slice is the elapsed time.
    if (!counted) return;
    this.totals.elapsedMs += durationMs;
    this.totals.sliceEnds.push(this.totals.latencies.length);
  }

  /**
   * Sends `maxRequests` requests, or as many as fit in `maxMs` (no new request starts after it),
   * and counts every one of them; the elapsed time is until the last one has finished.
   */
  async runBounded(maxRequests: number, maxMs: number): Promise<void> {
    this.refreshIdleConnections();
    const started = performance.now();
    const stopAt = started + maxMs;
    let sent = 0;
    const worker = async () => {
      while (sent < maxRequests && performance.now() < stopAt) {
        sent += 1;
        this.count(await sendOne(this.agent, this.target, this.url, 10_000));
        this.totals.completed += 1;
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    this.lastRunEnd = performance.now();
    this.totals.elapsedMs += performance.now() - started;
  }

  private count(outcome: Outcome): void {
    this.totals.requests += 1;
    if (outcome.ok) {
      this.totals.latencies.push(outcome.ms);
      if (Number.isFinite(outcome.ttfbMs)) this.totals.ttfbs.push(outcome.ttfbMs);
    } else {
      this.totals.errors += 1;
      if (this.totals.errorSamples.length < 5 && outcome.error) this.totals.errorSamples.push(outcome.error);
    }
  }

  result(): LoadResult {
    return this.totals;
  }

  close(): void {
    this.agent.destroy();
  }
}
