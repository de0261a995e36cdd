import { Hono } from 'hono';
import type { StoredProject } from '../config/schemas.js';
import type { Endpoint } from './endpoints.js';
import type { AppEnv, Services } from '../services.js';
import { authenticateProject } from './auth.js';
import { ENDPOINTS } from './endpoints.js';
import { handleProxy } from './handler.js';

/**
 * `GET /v1/models` lists the project's pool, then its aliases (owned by `routerly`), in a
 * shape both SDKs read: OpenAI's list (`object`, `owned_by`, `created`) and Anthropic's
 * (`type`, `display_name`, `created_at`, `has_more`), side by side on the same objects.
 */
function modelList(services: Services, project: StoredProject) {
  const models = project.models.flatMap((id) => {
    const model = services.config.index.models.get(id);
    if (!model) return [];
    const createdMs = Date.parse(model.config.createdAt);
    return [
      {
        id,
        object: 'model',
        created: Math.floor(createdMs / 1000),
        owned_by: model.config.provider,
        type: 'model',
        display_name: id,
        created_at: model.config.createdAt,
      },
    ];
  });
  const created = Date.parse(project.createdAt);
  const aliases = Object.keys(project.aliases ?? {}).map((id) => ({
    id,
    object: 'model',
    created: Math.floor(created / 1000),
    owned_by: 'routerly',
    type: 'model',
    display_name: id,
    created_at: project.createdAt,
  }));
  const data = [...models, ...aliases];
  return { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/** The proxied endpoints by path: what the gateway serves without going through its router. */
const ENDPOINTS_BY_PATH = new Map(ENDPOINTS.map((endpoint) => [endpoint.path, endpoint]));

/**
 * The endpoint a request is a proxied call to, or undefined: for the gateway to hand the call
 * straight to handleProxy. Every call goes through here first, so Hono's context, router and
 * middleware chain (a few kilobytes and microseconds a call, for no route of its own) only see
 * what is not a proxied call. Only a plain path is matched; anything Hono would decode or
 * normalise (a `%`, a trailing slash) is left to it, so both answer alike.
 */
export function directProxyEndpoint(method: string, url: string): Endpoint | undefined {
  if (method !== 'POST') return undefined;
  const scheme = url.indexOf('://');
  const start = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
  if (start < 0) return undefined;
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code === 0x3f /* ? */ || code === 0x23 /* # */) {
      end = i;
      break;
    }
    if (code === 0x25 /* % */) return undefined;
  }
  return ENDPOINTS_BY_PATH.get(url.slice(start, end));
}

export function proxyApi(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const endpoint of ENDPOINTS) {
    app.post(endpoint.path, (c) => handleProxy(c.req.raw, endpoint, services, c.env.waitUntil));
  }
  app.get('/v1/models', async (c) => {
    const { project } = authenticateProject(c.req.raw.headers, services.config.index);
    return c.json(modelList(services, project));
  });
  return app;
}
