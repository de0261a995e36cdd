import { z } from 'zod';

/**
 * The shapes of a project's routing: which policies rank its models, when a failed call
 * falls back, same-model retries and the overall deadline. Kept apart from schemas.ts
 * because the dashboard and the CLI build their forms from exactly these.
 */

export const POLICY_TYPES = [
  'llm',
  'cheapest',
  'health',
  'performance',
  'capability',
  'context',
  'budget-remaining',
  'rate-limit',
  'fairness',
] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, 'letters, digits and . _ : @ / - only, starting with a letter or digit');

const ms = (max: number) => z.number().int().positive().max(max);

/** What every policy has: how much its score counts (0: it only filters), and whether it runs. */
const common = {
  weight: z.number().min(0).max(100).optional(),
  enabled: z.boolean().optional(),
};

export const Policy = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('llm'),
      ...common,
      /** The judge: any configured model id. */
      model: identifier,
      timeoutMs: ms(60_000).optional(),
      /** Extra guidance for the judge, added to its prompt. */
      instructions: z.string().max(4000).optional(),
      /** How long the judge's choice is reused for the same project and request digest. */
      cacheTtlMs: z.number().int().min(0).max(3_600_000).optional(),
    })
    .strict(),
  z.object({ type: z.literal('cheapest'), ...common }).strict(),
  z
    .object({
      type: z.literal('health'),
      ...common,
      /** Consecutive failures that open a model's circuit. */
      failureThreshold: z.number().int().min(1).max(100).optional(),
      /** How long an open circuit keeps the model out before one call probes it. */
      cooldownMs: ms(3_600_000).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('performance'),
      ...common,
      /** Calls a model needs before its latency is trusted; below it the model is explored. */
      minSamples: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  z.object({ type: z.literal('capability'), ...common }).strict(),
  z.object({ type: z.literal('context'), ...common }).strict(),
  z.object({ type: z.literal('budget-remaining'), ...common }).strict(),
  z
    .object({
      type: z.literal('rate-limit'),
      ...common,
      /** How long a model that answered 429 without retry-after is skipped. */
      defaultCooldownMs: ms(3_600_000).optional(),
      /** The longest a retry-after is honoured for, whatever the provider says. */
      maxCooldownMs: ms(3_600_000).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('fairness'),
      ...common,
      /** Relative share per model id (default 1): a model of weight 2 takes twice the calls. */
      weights: z.record(identifier, z.number().positive().max(1000)).optional(),
    })
    .strict(),
]);
export type Policy = z.infer<typeof Policy>;

const status = z.number().int().min(100).max(599);

export const Routing = z
  .object({
    policies: z.array(Policy).max(20).optional(),
    fallback: z
      .object({
        /** False: one candidate is tried, and its failure is the client's answer. */
        enabled: z.boolean().optional(),
        /** False: a pool model the client named is the only one tried. */
        fromNamedModel: z.boolean().optional(),
        /** Provider statuses that fall back (default: 401, 403, 408, 409, 429 and every 5xx). */
        onStatus: z.array(status).max(100).optional(),
        /** Candidates tried at most (default: all). */
        maxAttempts: z.number().int().min(1).max(50).optional(),
      })
      .strict()
      .optional(),
    retries: z
      .object({
        /** Extra tries on the same model before moving on (default 0). */
        max: z.number().int().min(0).max(5),
        /** The first backoff; each retry doubles it, jittered by ±50%. */
        backoffMs: z.number().int().min(0).max(60_000).optional(),
      })
      .strict()
      .optional(),
    /** One deadline for the whole call, across every attempt and backoff. */
    deadlineMs: ms(3_600_000).optional(),
  })
  .strict();
export type Routing = z.infer<typeof Routing>;

export const Alias = z
  .object({
    models: z.array(identifier).min(1).max(256),
    routing: Routing.optional(),
  })
  .strict();
export type Alias = z.infer<typeof Alias>;

/** Alias names are what clients send as `model`; `auto` is the gateway's own. */
export const Aliases = z
  .record(identifier.refine((name) => name !== 'auto', '"auto" is reserved'), Alias)
  .refine((aliases) => Object.keys(aliases).length <= 100, 'at most 100 aliases');
