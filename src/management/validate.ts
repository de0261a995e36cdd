import type { Context } from 'hono';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { assertJsonContentType, parseJsonObject, readBodyText } from '../http/body.js';
import type { Services } from '../services.js';

/**
 * Reads and validates a management API body; a mismatch is a 400 listing every problem.
 * With `optional`, an empty body counts as `{}` (for routes whose fields are all optional).
 */
export async function readJson<S extends z.ZodType>(
  c: Context,
  services: Services,
  schema: S,
  options: { optional?: boolean } = {},
): Promise<z.infer<S>> {
  assertJsonContentType(c.req.raw);
  const text = await readBodyText(c.req.raw, services.maxBodyBytes);
  const value = options.optional && text.trim() === '' ? {} : parseJsonObject(text);
  return parseOrThrow(schema, value);
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = details[0]!;
  throw new GatewayError('invalid_request', `${first.path ? `${first.path}: ` : ''}${first.message}`, { details });
}
