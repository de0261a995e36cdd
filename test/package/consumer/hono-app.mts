// Routerly inside a Hono app, under /llm, with its data in memory (nothing written to disk).
// Clients use http://host/llm/v1 (OpenAI) and http://host/llm (Anthropic); the management API is /llm/api.
import { serve, type HttpBindings } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { mount } from 'hono/mount';
import { createGateway } from 'routerly';
import { createMemoryStore } from 'routerly/storage/memory';

const gateway = createGateway({ store: createMemoryStore(), secret: process.env.ROUTERLY_SECRET! });
await gateway.ready(); // rejects on a bad secret (under 32 characters)

const app = new Hono<{ Bindings: HttpBindings }>();
app.get('/', (c) => c.text('the rest of my app'));
// mount() hands the gateway the request with /llm taken off the path; the client's address is
// what login throttling counts by.
app.all('/llm/*', mount(gateway.fetch, (c) => ({ clientAddress: getConnInfo(c).remote.address })));

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
process.once('SIGTERM', () => process.exit(0)); // nothing to keep: the memory store goes with the process
