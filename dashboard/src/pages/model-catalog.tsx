import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { Dialog, ErrorNote, Field, useApi } from '../ui/components';
import { int } from '../ui/format';
import { providerLabel, type PresetId, type ProviderId } from '../ui/provider-registry';
import type { CatalogModel } from './model-form-state';
import { perMillion } from './model-health';

/** How long typing pauses before the catalog is searched. */
const SEARCH_DELAY_MS = 250;

/**
 * The known-model catalog (GET /api/catalog, static data shipped with the gateway) for the
 * form's provider (and preset): picking an entry hands it to `onChoose`, which fills the form.
 * A custom model without a preset searches every preset the catalog has.
 */
export function CatalogDialog(props: { open: boolean; onClose: () => void; provider: ProviderId; preset: PresetId | ''; initialQuery: string; onChoose: (entry: CatalogModel) => void }) {
  return (
    <Dialog title="Find in catalog" open={props.open} onClose={props.onClose}>
      <CatalogSearch {...props} />
    </Dialog>
  );
}

function CatalogSearch(props: { provider: ProviderId; preset: PresetId | ''; initialQuery: string; onChoose: (entry: CatalogModel) => void }) {
  const [query, setQuery] = useState(props.initialQuery);
  const [debounced, setDebounced] = useState(props.initialQuery);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(query.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query]);
  const preset = props.provider === 'custom' && props.preset ? props.preset : undefined;
  const found = useApi(
    (signal) => get<{ source: { name: string; version: string }; models: CatalogModel[] }>('/api/catalog', { provider: props.provider, preset, q: debounced, limit: 50 }, signal),
    [props.provider, preset, debounced],
  );
  const models = found.data?.models;
  // Typed but not yet searched, or searching: the list shown is for an earlier text.
  const stale = found.loading || query.trim() !== debounced;
  const where = preset ? providerLabel('custom', preset) : providerLabel(props.provider);

  return (
    <div class="form catalog">
      <Field label="Search the catalog" type="search" autoFocus autoComplete="off" spellcheck={false} value={query} onValue={setQuery} hint={`${where} models, by name or upstream id.`} />
      <ErrorNote error={found.error} />
      <p role="status" class="muted">
        {stale ? 'Searching…' : models ? (models.length === 0 ? noneText(props.provider, debounced) : `${models.length === 50 ? 'First 50' : models.length} match${models.length === 1 ? '' : 'es'}, newest first.`) : ''}
      </p>
      {models && models.length > 0 && (
        <ul class="catalog-results" aria-busy={stale}>
          {models.map((entry) => (
            <li key={`${entry.preset ?? entry.provider}/${entry.upstreamModel}`}>
              <div class="catalog-entry">
                <strong>{entry.name}</strong> <span class="mono">{entry.upstreamModel}</span>
                {entry.preset && props.provider === 'custom' && !preset && <span class="muted"> · {providerLabel('custom', entry.preset)}</span>}
                <div class="muted">
                  {[
                    entry.pricing ? `${perMillion(entry.pricing.input)} in / ${perMillion(entry.pricing.output)} out per 1M` : 'no prices',
                    entry.contextWindow ? `${int(entry.contextWindow)} context` : undefined,
                    entry.maxOutputTokens ? `${int(entry.maxOutputTokens)} max output` : undefined,
                    entry.releaseDate ? `released ${entry.releaseDate}` : undefined,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </div>
              </div>
              <button type="button" aria-label={`Use ${entry.name} (${entry.upstreamModel})`} onClick={() => props.onChoose(entry)}>
                Use
              </button>
            </li>
          ))}
        </ul>
      )}
      {found.data && <p class="hint">Source: {found.data.source.name} {found.data.source.version}. Everything it fills stays editable.</p>}
    </div>
  );
}

function noneText(provider: ProviderId, query: string): string {
  if (provider === 'ollama' || provider === 'cohere') return 'The catalog has no models for this provider: fill the fields by hand.';
  return query ? `Nothing matches “${query}”.` : 'The catalog has no models for this provider.';
}
