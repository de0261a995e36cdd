// Routerly on Bun.serve, its data in JSON files under ROUTERLY_HOME.
import { createGateway } from 'routerly';
import { createFileStore } from 'routerly/storage/files';

const gateway = createGateway({ store: createFileStore(process.env.ROUTERLY_HOME!), secret: process.env.ROUTERLY_SECRET! });
await gateway.ready();

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 3000),
  // Bun closes a connection idle for 10 s by default: a model thinking before its first token can take longer.
  idleTimeout: 0,
  fetch: (request, server) => gateway.fetch(request, { clientAddress: server.requestIP(request)?.address }),
});
console.log(`listening on ${server.url.origin}`);
// Let requests in flight finish, then write out the usage still buffered.
process.once('SIGTERM', () => void server.stop().then(() => gateway.flush()).then(() => process.exit(0)));
