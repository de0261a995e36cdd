import { chatFeatures, plainFeatures } from '../routing/features.js';
import type { RequestFeatures, RoutingRequest } from '../routing/types.js';
import type { Endpoint } from './endpoints.js';
import type { HeaderReader } from '../http/header-fields.js';

/**
 * The call as the routing engine sees it. Its features (images, tools, prompt size, the
 * digest) come from decoding the body into the IR, which only happens if a policy asks:
 * a pool that declares no capabilities or context windows never pays for it.
 */
export function routingRequest(endpoint: Endpoint, parsed: Record<string, unknown>, body: string, projectId: string, headers: HeaderReader): RoutingRequest {
  let features: RequestFeatures | undefined;
  return {
    projectId,
    operation: endpoint.operation,
    stream: parsed.stream === true,
    features() {
      if (!features) {
        if (endpoint.operation === 'embeddings') {
          features = plainFeatures(body);
        } else {
          try {
            features = chatFeatures(endpoint.client.decodeRequest(parsed, headers));
          } catch {
            // A body the client format cannot read still routes: sized by its bytes. Its own plan will refuse it.
            features = plainFeatures(body);
          }
        }
      }
      return features;
    },
  };
}
