/**
 * In-memory metrics and their Prometheus text exposition (format 0.0.4), for `GET /metrics`.
 *
 * Updates run on the request path, rendering once per scrape: so updates do one map lookup and
 * arithmetic, and everything else (cumulating buckets, escaping, formatting) waits for render().
 * Plain data structures only, so one registry works on every runtime the core runs on.
 */

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label values are given in the order of the labelNames the metric was registered with. */
export interface Counter {
  inc(labels: readonly string[], value?: number): void; // value defaults to 1 and must be >= 0
}
export interface Gauge {
  set(labels: readonly string[], value: number): void;
  inc(labels: readonly string[], value?: number): void;
}
export interface Histogram {
  observe(labels: readonly string[], value: number): void;
}
/** One sample of a collect() metric; label names must be valid (checked at render). */
export interface CollectedSample {
  labels: Record<string, string>;
  value: number;
}
export interface MetricsRegistryOptions {
  /** Series kept per metric; updates that would create more are dropped and counted. */
  maxSeriesPerMetric?: number;
}

export const DEFAULT_MAX_SERIES_PER_METRIC = 10_000;
export const SERIES_DROPPED_METRIC = 'routerly_metrics_series_dropped_total';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Shared by all metrics of one registry: the series cap and the tally of what it dropped. */
interface Limits {
  readonly maxSeries: number;
  readonly dropped: Map<string, number>;
}

function countDrop(limits: Limits, metric: string): void {
  limits.dropped.set(metric, (limits.dropped.get(metric) ?? 0) + 1);
}

/** Numbers as Prometheus parses them: JS shortest round-trip form, and the spec's spellings of the non-finite. */
export function formatValue(v: number): string {
  if (Number.isFinite(v)) return String(v); // integers come out as integers, -0 as "0"
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}

// The spec escapes only these; anything else (quotes in HELP, unicode, \r) is written as is.
const LABEL_ESCAPES = /[\\"\n]/g;
const HELP_ESCAPES = /[\\\n]/g;
const escapeChar = (c: string): string => (c === '\n' ? '\\n' : `\\${c}`);
const escapeLabelValue = (v: string): string => v.replace(LABEL_ESCAPES, escapeChar);
const escapeHelp = (v: string): string => v.replace(HELP_ESCAPES, escapeChar);

/** `a="x",b="y"`, without braces, so a histogram can append its `le`. */
function labelPairs(names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) out += `${i === 0 ? '' : ','}${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  return out;
}
const braced = (pairs: string): string => (pairs === '' ? '' : `{${pairs}}`);

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

function checkLabelName(metric: string, label: string, histogram: boolean): void {
  if (!LABEL_NAME.test(label)) throw new TypeError(`metric ${metric}: invalid label name ${JSON.stringify(label)}`);
  if (label.startsWith('__')) throw new TypeError(`metric ${metric}: label names starting with __ are reserved (${label})`);
  if (histogram && label === 'le') throw new TypeError(`metric ${metric}: label le is reserved for histogram buckets`);
}

type Renderable = { render(): string };

/** A metric whose series live in memory, one per distinct tuple of label values. */
abstract class Family<S extends { readonly values: readonly string[] }> implements Renderable {
  /** Every series, in the order first seen (what render() writes). */
  protected readonly series: S[] = [];
  /**
   * The series by label values, one Map level per label: finding a call's series reads a Map
   * per label and builds nothing (a key joined from the values cost a string per update, seven
   * updates a call), and no value, whatever it contains, can pass for another.
   */
  private readonly tree = new Map<string, unknown>();
  /** The one series of a metric without labels. */
  private single: S | undefined;

  constructor(
    protected readonly name: string,
    protected readonly help: string,
    protected readonly labelNames: readonly string[],
    private readonly limits: Limits,
  ) {}

  protected abstract create(values: readonly string[]): S;
  abstract render(): string;

  /** The series for these label values, created on first sight; undefined when the cap drops it. */
  protected lookup(values: readonly string[]): S | undefined {
    // A wrong count would silently misattribute values to labels: a bug in the caller, so throw.
    if (values.length !== this.labelNames.length) {
      throw new TypeError(`metric ${this.name}: expected ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`);
    }
    if (values.length === 0) return (this.single ??= this.add(values));
    let level = this.tree;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) {
        if (this.series.length >= this.limits.maxSeries) return this.drop();
        next = new Map();
        level.set(values[i]!, next);
      }
      level = next;
    }
    let s = level.get(values[last]!) as S | undefined;
    if (s === undefined) {
      s = this.add(values);
      if (s !== undefined) level.set(values[last]!, s);
    }
    return s;
  }

  private add(values: readonly string[]): S | undefined {
    if (this.series.length >= this.limits.maxSeries) return this.drop();
    const s = this.create(values.slice()); // a copy: callers may reuse their array
    this.series.push(s);
    return s;
  }

  private drop(): undefined {
    countDrop(this.limits, this.name);
    return undefined;
  }
}

type ScalarSeries = { readonly values: readonly string[]; value: number };

abstract class ScalarFamily extends Family<ScalarSeries> {
  protected abstract readonly type: 'counter' | 'gauge';
  protected create(values: readonly string[]): ScalarSeries {
    return { values, value: 0 };
  }
  render(): string {
    let out = header(this.name, this.help, this.type);
    for (const s of this.series) out += `${this.name}${braced(labelPairs(this.labelNames, s.values))} ${formatValue(s.value)}\n`;
    return out;
  }
}

class CounterFamily extends ScalarFamily implements Counter {
  protected readonly type = 'counter';
  inc(labels: readonly string[], value = 1): void {
    // `!(>= 0)` also refuses NaN, which would poison the counter for good.
    if (!(value >= 0)) throw new RangeError(`counter ${this.name}: cannot increase by ${value}`);
    const s = this.lookup(labels);
    if (s !== undefined) s.value += value;
  }
}

class GaugeFamily extends ScalarFamily implements Gauge {
  protected readonly type = 'gauge';
  set(labels: readonly string[], value: number): void {
    const s = this.lookup(labels);
    if (s !== undefined) s.value = value;
  }
  inc(labels: readonly string[], value = 1): void {
    const s = this.lookup(labels);
    if (s !== undefined) s.value += value;
  }
}

interface HistogramSeries {
  readonly values: readonly string[];
  /** Per bucket, not cumulative (one increment per observation); the last is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

class HistogramFamily extends Family<HistogramSeries> implements Histogram {
  /** `le` values, formatted once: the bounds, then +Inf. */
  private readonly les: readonly string[];

  constructor(name: string, help: string, labelNames: readonly string[], limits: Limits, private readonly bounds: readonly number[]) {
    super(name, help, labelNames, limits);
    this.les = [...bounds.map(formatValue), '+Inf'];
  }

  protected create(values: readonly string[]): HistogramSeries {
    return { values, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: readonly string[], value: number): void {
    const s = this.lookup(labels);
    if (s === undefined) return;
    // Linear scan: bucket lists are short. `!(<=)` sends NaN to +Inf, as client_golang does.
    let i = 0;
    while (i < this.bounds.length && !(value <= this.bounds[i]!)) i++;
    s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    const n = this.name;
    let out = header(n, this.help, 'histogram');
    for (const s of this.series) {
      const pairs = labelPairs(this.labelNames, s.values);
      const sep = pairs === '' ? '' : ',';
      let cumulative = 0;
      for (let i = 0; i < this.les.length; i++) {
        cumulative += s.counts[i]!;
        out += `${n}_bucket{${pairs}${sep}le="${this.les[i]}"} ${formatValue(cumulative)}\n`;
      }
      out += `${n}_sum${braced(pairs)} ${formatValue(s.sum)}\n${n}_count${braced(pairs)} ${formatValue(s.count)}\n`;
    }
    return out;
  }
}

/** A metric read from live state at render time: nothing stored, so it can never go stale. */
class CollectedFamily implements Renderable {
  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly type: 'gauge' | 'counter',
    private readonly read: () => Iterable<CollectedSample>,
    private readonly limits: Limits,
  ) {}

  render(): string {
    let out = header(this.name, this.help, this.type);
    // Prometheus drops duplicate series from a scrape, so keep the first; the cap bounds the output
    // size (drops are counted once per render, since nothing is remembered between renders).
    const seen = new Set<string>();
    for (const { labels, value } of this.read()) {
      const names = Object.keys(labels);
      // Names come from code, not traffic: a bad one is a bug, so fail the scrape loudly.
      for (const label of names) checkLabelName(this.name, label, false);
      const pairs = labelPairs(names, Object.values(labels));
      if (seen.has(pairs)) continue;
      if (seen.size >= this.limits.maxSeries) {
        countDrop(this.limits, this.name);
        continue;
      }
      seen.add(pairs);
      out += `${this.name}${braced(pairs)} ${formatValue(value)}\n`;
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics: Renderable[] = [];
  /** Every sample name rendered so far, histogram suffixes included, so none can be exposed twice. */
  private readonly taken = new Set<string>([SERIES_DROPPED_METRIC]);
  private readonly limits: Limits;

  constructor(options: MetricsRegistryOptions = {}) {
    const maxSeries = options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES_PER_METRIC;
    if (!Number.isInteger(maxSeries) || maxSeries < 1) throw new RangeError(`maxSeriesPerMetric must be a positive integer, got ${maxSeries}`);
    this.limits = { maxSeries, dropped: new Map() };
  }

  counter(name: string, help: string, labelNames: readonly string[]): Counter {
    return this.add(new CounterFamily(name, help, this.check(name, help, labelNames, []), this.limits));
  }

  gauge(name: string, help: string, labelNames: readonly string[]): Gauge {
    return this.add(new GaugeFamily(name, help, this.check(name, help, labelNames, []), this.limits));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    // +Inf is always added, so a caller that lists it explicitly gets it once.
    const bounds = buckets.at(-1) === Infinity ? buckets.slice(0, -1) : buckets.slice();
    bounds.forEach((b, i) => {
      if (!Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!)) throw new RangeError(`histogram ${name}: buckets must be finite and strictly increasing`);
    });
    const names = this.check(name, help, labelNames, ['_bucket', '_sum', '_count']);
    return this.add(new HistogramFamily(name, help, names, this.limits, bounds));
  }

  /** Gauges whose values are read only at render time (e.g. circuit state per model, from live stats). */
  collect(name: string, help: string, type: 'gauge' | 'counter', read: () => Iterable<CollectedSample>): void {
    this.check(name, help, [], []);
    this.add(new CollectedFamily(name, help, type, read, this.limits));
  }

  /** The whole exposition, metrics in registration order; a collect() callback's exception propagates. */
  render(): string {
    let out = '';
    for (const m of this.metrics) out += m.render();
    if (this.limits.dropped.size > 0) {
      out += header(SERIES_DROPPED_METRIC, 'Metric updates dropped because the metric reached its series cap.', 'counter');
      for (const [metric, n] of this.limits.dropped) out += `${SERIES_DROPPED_METRIC}{metric="${escapeLabelValue(metric)}"} ${formatValue(n)}\n`;
    }
    return out;
  }

  private add<M extends Renderable>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  /** Validates a registration and reserves its sample names; returns a frozen copy of the label names. */
  private check(name: string, help: string, labelNames: readonly string[], suffixes: readonly string[]): readonly string[] {
    if (!METRIC_NAME.test(name)) throw new TypeError(`invalid metric name ${JSON.stringify(name)}`);
    if (name.startsWith('__')) throw new TypeError(`metric names starting with __ are reserved (${name})`);
    // An empty HELP line is legal but some parsers trim it into an invalid line; every metric deserves one anyway.
    if (help.trim() === '') throw new TypeError(`metric ${name}: help text is required`);
    const histogram = suffixes.length > 0;
    for (const label of labelNames) checkLabelName(name, label, histogram);
    if (new Set(labelNames).size !== labelNames.length) throw new TypeError(`metric ${name}: duplicate label names`);
    const exposed = [name, ...suffixes.map((s) => name + s)];
    const clash = exposed.find((n) => this.taken.has(n));
    if (clash !== undefined) throw new TypeError(`metric ${name}: ${clash} is already registered`);
    for (const n of exposed) this.taken.add(n);
    return Object.freeze(labelNames.slice());
  }
}
