import type { ResolvedModel } from '../config/state.js';
import type { Logger } from '../deps.js';
import type { ChatRequest } from '../ir/chat.js';
import type { TokenUsage } from '../ir/usage.js';
import { isRecord } from '../json/record.js';
import type { JudgeSettings } from './compile.js';
import type { Candidate, RequestFeatures } from './types.js';
import { headersInit } from '../http/header-fields.js';

/** Cached picks kept at most; the oldest go first. */
const CACHE_LIMIT = 1000;
/** The judge's answer is one short JSON object. */
const JUDGE_MAX_TOKENS = 200;

const SYSTEM_PROMPT = [
  'You are the router of an LLM gateway. Pick the one candidate model best suited to the request below,',
  'weighing what each model is good at against its price. Answer with JSON only: {"model": "<candidate id>", "reason": "<a few words>"}.',
].join(' ');

/** The judge's own call, metered as a usage record of its own (`endpoint: "routing"`). */
export interface JudgeCallReport {
  model: ResolvedModel;
  status: number;
  outcome: string;
  usage?: TokenUsage;
  latencyMs: number;
}

export interface JudgeVerdict {
  /** The candidate id the judge named; undefined when it failed, timed out or named none. */
  choice?: string;
  cached: boolean;
  error?: string;
}

export interface JudgeDeps {
  fetch: typeof fetch;
  now: () => number;
  logger: Logger;
}

function describe(candidate: Candidate): string {
  const { config } = candidate.model;
  const facts = [`id: ${config.id}`, `provider: ${config.provider}`];
  if (config.description) facts.push(`good at: ${config.description}`);
  if (config.pricing) facts.push(`price per million tokens: $${config.pricing.input} in, $${config.pricing.output} out`);
  if (config.contextWindow) facts.push(`context window: ${config.contextWindow} tokens`);
  if (config.capabilities) {
    const lacks = Object.entries(config.capabilities).filter(([, has]) => has === false).map(([name]) => name);
    if (lacks.length) facts.push(`lacks: ${lacks.join(', ')}`);
  }
  return `- ${facts.join('; ')}`;
}

/** The judge's prompt: every candidate with what is known of it, then a digest of the request. */
export function judgePrompt(candidates: readonly Candidate[], features: RequestFeatures, instructions?: string): string {
  const needs = (['images', 'tools', 'json', 'thinking'] as const).filter((f) => features[f]);
  return [
    'Candidates:',
    ...candidates.map(describe),
    '',
    `Request (about ${features.inputTokens} prompt tokens${needs.length ? `; uses ${needs.join(', ')}` : ''}):`,
    features.digest,
    ...(instructions ? ['', `Routing instructions: ${instructions}`] : []),
  ].join('\n');
}

/**
 * The candidate id in the judge's answer: a JSON object with `model`, bare or inside code
 * fences or prose; failing that, the first `"model": "…"` in the text. Only a candidate counts.
 */
export function parseJudgeAnswer(text: string, candidateIds: ReadonlySet<string>): string | undefined {
  const objects = text.match(/\{[^{}]*\}/g) ?? [];
  for (const object of objects) {
    try {
      const value: unknown = JSON.parse(object);
      if (isRecord(value) && typeof value.model === 'string' && candidateIds.has(value.model.trim())) return value.model.trim();
    } catch {
      // Not JSON: the looser match below may still find it.
    }
  }
  const loose = /"model"\s*:\s*"([^"]+)"/.exec(text)?.[1]?.trim();
  return loose !== undefined && candidateIds.has(loose) ? loose : undefined;
}

/**
 * Asks a configured model to pick among the candidates, through the same provider layer as
 * any call. Its picks are cached per project and request digest for a short time; identical
 * requests in flight share one judge call. It never throws: any failure is a verdict without
 * a choice, so the llm policy abstains and the call goes on.
 */
export class Judge {
  private readonly cache = new Map<string, { expires: number; verdict: Promise<JudgeVerdict> }>();

  constructor(private readonly deps: JudgeDeps) {}

  choose(
    settings: JudgeSettings,
    judgeModel: ResolvedModel | undefined,
    projectId: string,
    candidates: readonly Candidate[],
    features: RequestFeatures,
    report: (call: JudgeCallReport) => void,
  ): Promise<JudgeVerdict> {
    if (!judgeModel) return Promise.resolve({ cached: false, error: `the judge model "${settings.model}" is not configured` });
    const key = `${projectId}\u0000${settings.model}\u0000${candidates.map((c) => c.model.config.id).join(',')}\u0000${features.digest}`;
    const now = this.deps.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) return hit.verdict.then((verdict) => ({ ...verdict, cached: true }));
    const verdict = this.ask(settings, judgeModel, candidates, features, report);
    if (settings.cacheTtlMs > 0) {
      this.cache.delete(key);
      this.cache.set(key, { expires: now + settings.cacheTtlMs, verdict });
      if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
      // A failed judgement is not remembered: the next request asks again.
      void verdict.then((v) => {
        if (v.choice === undefined && this.cache.get(key)?.verdict === verdict) this.cache.delete(key);
      });
    }
    return verdict;
  }

  private async ask(
    settings: JudgeSettings,
    judgeModel: ResolvedModel,
    candidates: readonly Candidate[],
    features: RequestFeatures,
    report: (call: JudgeCallReport) => void,
  ): Promise<JudgeVerdict> {
    const started = this.deps.now();
    const request: ChatRequest = {
      model: judgeModel.config.id,
      system: [{ type: 'text', text: SYSTEM_PROMPT }],
      messages: [{ role: 'user', content: [{ type: 'text', text: judgePrompt(candidates, features, settings.instructions) }] }],
      tools: [],
      stop: [],
      maxOutputTokens: JUDGE_MAX_TOKENS,
      temperature: 0,
      stream: false,
      unsupported: [],
    };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
    let status = 0;
    let usage: TokenUsage | undefined;
    let outcome = 'ok';
    try {
      const codec = judgeModel.provider.chat;
      const { request: upstream } = codec.encodeRequest(request, judgeModel, new Headers());
      const response = await this.deps.fetch(upstream.url, {
        method: 'POST',
        headers: headersInit(upstream.headers),
        body: upstream.body,
        signal: controller.signal,
        redirect: 'manual',
      });
      status = response.status;
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        outcome = 'upstream_error';
        return { cached: false, error: `the judge answered HTTP ${status}` };
      }
      const answer = codec.decodeResponse(await response.json());
      usage = answer.usage;
      const text = answer.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
      const choice = parseJudgeAnswer(text, new Set(candidates.map((c) => c.model.config.id)));
      if (choice === undefined) {
        outcome = 'no_choice';
        return { cached: false, error: 'the judge named no candidate' };
      }
      return { choice, cached: false };
    } catch (error) {
      outcome = controller.signal.aborted ? 'timeout' : 'upstream_error';
      if (status === 0) status = controller.signal.aborted ? 504 : 502;
      const message = controller.signal.aborted ? `the judge did not answer within ${settings.timeoutMs} ms` : 'the judge call failed';
      this.deps.logger.warn('routing judge failed', { model: judgeModel.config.id, error: String(error) });
      return { cached: false, error: message };
    } finally {
      clearTimeout(timer);
      report({ model: judgeModel, status, outcome, ...(usage ? { usage } : {}), latencyMs: this.deps.now() - started });
    }
  }
}
