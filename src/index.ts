export { createGateway } from './gateway.js';
export type { CallEvent, CountTextTokens, Gateway, GatewayDeps, GatewaySettings, Logger, RequestContext, StaticAssets } from './deps.js';
export type { ClientPresence } from './http/client-presence.js';
export { signalPresence } from './http/client-presence.js';
export type { ChunkRead, HeaderSource, OutboundRequest, UpstreamAnswer, UpstreamChunks, UpstreamControl, UpstreamSend } from './http/upstream.js';
export { fetchUpstream } from './http/upstream.js';
export type { Store } from './store.js';
export { assertValidKey, assertValidPrefix, InvalidKeyError, isValidKey } from './store.js';
export { backfillRollups, type BackfillResult } from './usage/backfill.js';
