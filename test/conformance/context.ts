import { startMockProvider, type MockProvider } from '../support/mock-provider.js';
import { adminClient, createModel, createProject, NAMED_MODEL_ONLY, type AdminClient } from '../support/gateway-client.js';

/** A running gateway, on whatever runtime. */
export interface GatewayUnderTest {
  url: string;
  close(): Promise<void>;
  /** Moves the gateway's clock `offsetMs` ahead of real time (0: back to real time). */
  setClock?(offsetMs: number): Promise<void>;
}

export interface StartOptions {
  /** The body limit the suite tests 413 against (kept small so no runtime has to swallow 32 MiB). */
  maxBodyBytes: number;
}

export type StartGateway = (options: StartOptions) => Promise<GatewayUnderTest>;

/** What a runtime's harness cannot guarantee, each with its reason where it is declared. */
export interface RuntimeLimits {
  /** The usage record of a call whose client disconnected mid-stream may be lost. */
  disconnectRecordMayBeLost?: boolean;
  /** A client that goes away before any answer byte is not noticed until the gateway writes. */
  disconnectBeforeAnswerUnseen?: boolean;
  /**
   * A provider stream that breaks right after its first events may lose them: the runtime's
   * HTTP client drops bytes that arrived just before the reset, so the gateway sees a break
   * before any event and answers 502 instead of 200 and an error event.
   */
  breakMayDropEarlyEvents?: boolean;
}

export const UPSTREAM_KEYS = { openai: 'sk-upstream-openai-SECRET', anthropic: 'sk-upstream-anthropic-SECRET' };
export const MAX_BODY_BYTES = 256 * 1024;

/** Everything a conformance test reads; filled in by `setUp`. */
export interface SuiteContext {
  limits: RuntimeLimits;
  mock: MockProvider;
  gateway: GatewayUnderTest;
  admin: AdminClient;
  project: { id: string; token: string; tokenId: string };
}

/**
 * The fixture every runtime is held to: a mock provider with real keys, and a project
 * whose pool holds an OpenAI model, an Anthropic model and a model with tight timeouts, each
 * call going only to the model it names.
 */
export async function setUp(start: StartGateway, limits: RuntimeLimits): Promise<SuiteContext> {
  const mock = await startMockProvider({ openaiKey: UPSTREAM_KEYS.openai, anthropicKey: UPSTREAM_KEYS.anthropic });
  const gateway = await start({ maxBodyBytes: MAX_BODY_BYTES });
  const admin = await adminClient(gateway.url);
  await createModel(admin, {
    id: 'gpt',
    provider: 'openai',
    baseUrl: mock.openaiBaseUrl,
    apiKey: UPSTREAM_KEYS.openai,
    upstreamModel: 'gpt-4o-mini',
    pricing: { input: 2, output: 8, cachedInput: 1 },
  });
  await createModel(admin, {
    id: 'claude',
    provider: 'anthropic',
    baseUrl: mock.anthropicBaseUrl,
    apiKey: UPSTREAM_KEYS.anthropic,
    upstreamModel: 'claude-sonnet-4-5',
    pricing: { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
  });
  await createModel(admin, {
    id: 'gpt-tight',
    provider: 'custom',
    baseUrl: mock.openaiBaseUrl,
    apiKey: UPSTREAM_KEYS.openai,
    upstreamModel: 'gpt-4o-mini',
    timeouts: { connectMs: 400, idleMs: 400, totalMs: 3000 },
  });
  // The provider tests name the model they test: fallback would hide its errors (the routing suite covers it).
  const project = await createProject(admin, 'main', ['gpt', 'claude', 'gpt-tight'], NAMED_MODEL_ONLY);
  return { limits, mock, gateway, admin, project };
}
