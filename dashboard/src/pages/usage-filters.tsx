import { setQuery } from '../router';
import { Field, SelectField } from '../ui/components';
import { monthStartUtc, poolModels, utcDay, type GroupBy, type Project } from './usage-api';

/** The usage page's filters, all kept in the URL: `?project=&token=&model=&from=&to=&groupBy=`. */
export interface UsageFilters {
  project: string;
  token: string;
  model: string;
  /** UTC days, `2026-11-23`, both inclusive. */
  from: string;
  to: string;
  groupBy: GroupBy;
}

export const GROUP_BY: { value: GroupBy; label: string }[] = [
  { value: 'project', label: 'Project' },
  { value: 'model', label: 'Model' },
  { value: 'token', label: 'Token' },
  { value: 'day', label: 'Day' },
  { value: 'hour', label: 'Hour' },
];

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Ranges by UTC day, as budgets and the API count them. */
export function rangePresets(now = Date.now()) {
  const today = utcDay(now);
  const date = new Date(now);
  return [
    { value: 'today', label: 'Today', from: today, to: today },
    { value: '7d', label: 'Last 7 days', from: utcDay(now - 6 * DAY_MS), to: today },
    { value: '30d', label: 'Last 30 days', from: utcDay(now - 29 * DAY_MS), to: today },
    { value: 'month', label: 'This month', from: monthStartUtc(now), to: today },
    { value: 'last-month', label: 'Last month', from: utcDay(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1)), to: utcDay(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 0)) },
  ];
}

/** The filters in the URL; without a range, the last 7 days. */
export function readFilters(query: URLSearchParams): UsageFilters {
  const fallback = rangePresets()[1]!;
  const day = (name: string, otherwise: string) => {
    const value = query.get(name) ?? '';
    return DAY.test(value) ? value : otherwise;
  };
  const groupBy = GROUP_BY.find((option) => option.value === query.get('groupBy'))?.value ?? 'project';
  return {
    project: query.get('project') ?? '',
    token: query.get('project') ? (query.get('token') ?? '') : '',
    model: query.get('model') ?? '',
    from: day('from', fallback.from),
    to: day('to', fallback.to),
    groupBy,
  };
}

export function UsageFilterBar(props: { filters: UsageFilters; projects: Project[] | undefined }) {
  const { filters, projects } = props;
  const presets = rangePresets();
  const preset = presets.find((option) => option.from === filters.from && option.to === filters.to)?.value ?? 'custom';
  const project = projects?.find((candidate) => candidate.id === filters.project);
  const models = poolModels(projects, filters.project || undefined);
  // A model no pool holds any more still has usage: keep it choosable when the URL names it.
  if (filters.model && !models.includes(filters.model)) models.unshift(filters.model);
  const projectOptions = [{ value: '', label: 'All projects' }, ...(projects ?? []).map((p) => ({ value: p.id, label: p.name }))];
  if (filters.project && !project) projectOptions.push({ value: filters.project, label: filters.project });
  const tokenOptions = [{ value: '', label: 'All tokens' }, ...(project?.tokens ?? []).map((t) => ({ value: t.id, label: t.name ? `${t.name} (${t.hint})` : t.hint }))];
  if (filters.token && !project?.tokens.some((t) => t.id === filters.token)) tokenOptions.push({ value: filters.token, label: filters.token });

  return (
    <div class="form-grid usage-filters">
      <SelectField label="Project" value={filters.project} options={projectOptions} onValue={(value) => setQuery({ project: value, token: undefined })} />
      <SelectField
        label="Token"
        value={filters.token}
        options={tokenOptions}
        disabled={!filters.project}
        hint={filters.project ? undefined : 'Choose a project first.'}
        onValue={(value) => setQuery({ token: value })}
      />
      <SelectField label="Model" value={filters.model} options={[{ value: '', label: 'All models' }, ...models]} onValue={(value) => setQuery({ model: value })} />
      <SelectField
        label="Range"
        value={preset}
        options={[...presets.map(({ value, label }) => ({ value, label })), { value: 'custom', label: 'Custom (from and to below)' }]}
        onValue={(value) => {
          const chosen = presets.find((option) => option.value === value);
          if (chosen) setQuery({ from: chosen.from, to: chosen.to });
        }}
      />
      <Field label="From" type="date" value={filters.from} max={filters.to} required hint="UTC day, inclusive." onValue={(value) => DAY.test(value) && setQuery({ from: value })} />
      <Field label="To" type="date" value={filters.to} min={filters.from} required hint="UTC day, inclusive." onValue={(value) => DAY.test(value) && setQuery({ to: value })} />
      <SelectField
        label="Group by"
        value={filters.groupBy}
        options={GROUP_BY}
        hint={filters.groupBy === 'hour' ? 'By hour spans at most 31 days.' : undefined}
        onValue={(value) => setQuery({ groupBy: value === 'project' ? undefined : value })}
      />
    </div>
  );
}
