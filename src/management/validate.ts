import type { Context } from 'hono';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { assertJsonContentType, parseJsonObject, readBodyText } from '../http/body.js';
import type { AppEnv, Services } from '../services.js';
import { noteForAudit } from './audit.js';

/**
 * Reads and validates a management API body; a mismatch is a 400 listing every problem.
 * With `optional`, an empty body counts as `{}` (for routes whose fields are all optional).
 * A valid body's field names (and its `email`, which says who for setup and login) are noted
 * for the audit log; its values never are.
 */
export async function readJson<S extends z.ZodType>(
  c: Context<AppEnv>,
  services: Services,
  schema: S,
  options: { optional?: boolean } = {},
): Promise<z.infer<S>> {
  assertJsonContentType(c.req.raw.headers);
  const text = await readBodyText(c.req.raw, services.maxBodyBytes);
  const value = options.optional && text.trim() === '' ? {} : parseJsonObject(text);
  const parsed = parseOrThrow(schema, value);
  if (typeof parsed === 'object' && parsed !== null) {
    const { email } = parsed as { email?: unknown };
    noteForAudit(c, { fields: Object.keys(parsed).sort(), ...(typeof email === 'string' ? { email: email.toLowerCase() } : {}) });
  }
  return parsed;
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = details[0]!;
  throw new GatewayError('invalid_request', `${first.path ? `${first.path}: ` : ''}${first.message}`, { details });
}
