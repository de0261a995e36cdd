import parsePrometheus, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { CONTENT_TYPE, MetricsRegistry, SERIES_DROPPED_METRIC, formatValue } from '../../src/metrics/registry.js';

/** Parses with a real third-party parser, so the output is checked against someone else's reading of the format. */
function parse(registry: MetricsRegistry): Map<string, PrometheusFamily> {
  const text = registry.render();
  expect(text === '' || text.endsWith('\n')).toBe(true); // the format requires a final line feed
  return new Map(parsePrometheus(text).map((f) => [f.name, f]));
}

function family(registry: MetricsRegistry, name: string): PrometheusFamily {
  const f = parse(registry).get(name);
  if (f === undefined) throw new Error(`${name} missing from:\n${registry.render()}`);
  return f;
}

describe('MetricsRegistry rendering', () => {
  it('renders exactly this text for a small registry (pins the format)', () => {
    const r = new MetricsRegistry();
    r.counter('routerly_requests_total', 'Requests by model and status.', ['model', 'status']).inc(['gpt-4o', '200'], 3);
    r.gauge('routerly_up', 'Whether the gateway is up.', []).set([], 1);
    r.histogram('routerly_latency_seconds', 'Upstream latency.', ['model'], [0.005, 1]).observe(['a"b'], 0.5);
    expect(r.render()).toBe(
      [
        '# HELP routerly_requests_total Requests by model and status.',
        '# TYPE routerly_requests_total counter',
        'routerly_requests_total{model="gpt-4o",status="200"} 3',
        '# HELP routerly_up Whether the gateway is up.',
        '# TYPE routerly_up gauge',
        'routerly_up 1',
        '# HELP routerly_latency_seconds Upstream latency.',
        '# TYPE routerly_latency_seconds histogram',
        'routerly_latency_seconds_bucket{model="a\\"b",le="0.005"} 0',
        'routerly_latency_seconds_bucket{model="a\\"b",le="1"} 1',
        'routerly_latency_seconds_bucket{model="a\\"b",le="+Inf"} 1',
        'routerly_latency_seconds_sum{model="a\\"b"} 0.5',
        'routerly_latency_seconds_count{model="a\\"b"} 1',
        '',
      ].join('\n'),
    );
    expect(CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('writes HELP and TYPE for metrics that have no series yet, in registration order', () => {
    const r = new MetricsRegistry();
    r.histogram('h_seconds', 'H.', [], [1]);
    r.counter('c_total', 'C.', ['x']);
    r.gauge('g', 'G.', []);
    r.collect('live', 'L.', 'gauge', () => []);
    expect(r.render()).toBe('# HELP h_seconds H.\n# TYPE h_seconds histogram\n# HELP c_total C.\n# TYPE c_total counter\n# HELP g G.\n# TYPE g gauge\n# HELP live L.\n# TYPE live gauge\n');
    expect([...parse(r).values()].map((f) => [f.name, f.type, f.metrics.length])).toEqual([
      ['h_seconds', 'HISTOGRAM', 0],
      ['c_total', 'COUNTER', 0],
      ['g', 'GAUGE', 0],
      ['live', 'GAUGE', 0],
    ]);
    expect(new MetricsRegistry().render()).toBe('');
  });

  it('formats values like Prometheus clients: integers, shortest floats, +Inf, -Inf, NaN', () => {
    expect([3, -0, 0.1 + 0.2, 1e21, 2.5e-7, Infinity, -Infinity, NaN].map(formatValue)).toEqual([
      '3', '0', '0.30000000000000004', '1e+21', '2.5e-7', '+Inf', '-Inf', 'NaN',
    ]);
  });
});

describe('counters', () => {
  it('keeps one series per label tuple, adding 1 by default', () => {
    const r = new MetricsRegistry();
    const c = r.counter('routerly_requests_total', 'Requests.', ['model', 'status']);
    const labels = ['gpt-4o', '200'];
    c.inc(labels);
    c.inc(labels, 2.5);
    labels[1] = '500'; // the registry copied the first tuple, so reusing the array is safe
    c.inc(labels);
    c.inc(['claude', '200'], 0);
    expect(family(r, 'routerly_requests_total')).toEqual({
      name: 'routerly_requests_total',
      help: 'Requests.',
      type: 'COUNTER',
      metrics: [
        { labels: { model: 'gpt-4o', status: '200' }, value: '3.5' },
        { labels: { model: 'gpt-4o', status: '500' }, value: '1' },
        { labels: { model: 'claude', status: '200' }, value: '0' },
      ],
    });
  });

  it('refuses negative and NaN increments', () => {
    const c = new MetricsRegistry().counter('c_total', 'C.', []);
    expect(() => c.inc([], -1)).toThrow(RangeError);
    expect(() => c.inc([], NaN)).toThrow(RangeError);
  });

  it('does not merge tuples whose values contain the key separator', () => {
    const r = new MetricsRegistry();
    const c = r.counter('c_total', 'C.', ['a', 'b']);
    c.inc(['x\u0000', 'y']);
    c.inc(['x', '\u0000y']);
    c.inc(['x', '\u0000y']);
    expect(family(r, 'c_total').metrics).toEqual([
      { labels: { a: 'x\u0000', b: 'y' }, value: '1' },
      { labels: { a: 'x', b: '\u0000y' }, value: '2' },
    ]);
  });
});

describe('escaping', () => {
  const hostile = [
    'say "hi"',
    'back\\slash',
    'trailing\\',
    '\\"',
    'line1\nline2\n',
    'literal \\n is not a newline',
    'ünïcødé 🚀 日本語 \u2028',
    '{a="b"},c="d"} 1',
    'tab\tand\rcarriage',
    '',
  ];

  it('round-trips hostile label values through a real parser', () => {
    const r = new MetricsRegistry();
    const c = r.counter('c_total', 'C.', ['v']);
    for (const v of hostile) c.inc([v]);
    expect(family(r, 'c_total').metrics.map((m) => m.labels?.v)).toEqual(hostile);
    // No raw newline escaped into a sample line: every line is a comment or starts with the name.
    for (const line of r.render().trimEnd().split('\n')) expect(line).toMatch(/^(# |c_total\{)/);
  });

  it('escapes backslash and newline in HELP, and only those', () => {
    const help = 'Path C:\\dir, "quoted",\nsecond line';
    const r = new MetricsRegistry();
    r.gauge('g', help, []);
    expect(r.render().split('\n')[0]).toBe('# HELP g Path C:\\\\dir, "quoted",\\nsecond line');
    expect(family(r, 'g').help).toBe(help);
  });
});

describe('histograms', () => {
  it('cumulates buckets at render and keeps sum, count and +Inf', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('latency_seconds', 'Latency.', [], [0.005, 0.1, 1]);
    for (const v of [0.001, 0.005, 0.05, 0.5, 2]) h.observe([], v); // 0.005 lands in le="0.005": bounds are inclusive
    expect(family(r, 'latency_seconds').metrics).toEqual([
      { buckets: { '0.005': '2', '0.1': '3', '1': '4', '+Inf': '5' }, sum: '2.556', count: '5' },
    ]);
  });

  it('keeps labeled series apart (checked as text: the parser flattens labeled histograms)', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('h', 'H.', ['model'], [1, 2, Infinity]); // an explicit +Inf is not doubled
    h.observe(['a'], 1.5);
    h.observe(['b'], 0.5);
    h.observe(['a'], NaN); // NaN goes to +Inf only, like client_golang
    expect(r.render().split('\n').slice(2)).toEqual([
      'h_bucket{model="a",le="1"} 0',
      'h_bucket{model="a",le="2"} 1',
      'h_bucket{model="a",le="+Inf"} 2',
      'h_sum{model="a"} NaN',
      'h_count{model="a"} 2',
      'h_bucket{model="b",le="1"} 1',
      'h_bucket{model="b",le="2"} 1',
      'h_bucket{model="b",le="+Inf"} 1',
      'h_sum{model="b"} 0.5',
      'h_count{model="b"} 1',
      '',
    ]);
  });

  it('requires finite, strictly increasing buckets', () => {
    const r = new MetricsRegistry();
    expect(() => r.histogram('a', 'A.', [], [1, 1])).toThrow(/strictly increasing/);
    expect(() => r.histogram('b', 'B.', [], [2, 1])).toThrow(/strictly increasing/);
    expect(() => r.histogram('c', 'C.', [], [NaN])).toThrow(/finite/);
    expect(() => r.histogram('d', 'D.', [], [-Infinity, 1])).toThrow(/finite/);
    r.histogram('a', 'A.', [], []); // a failed registration did not reserve the name; +Inf alone is valid
  });
});

describe('gauges', () => {
  it('sets, increments and decrements, rendering non-finite values', () => {
    const r = new MetricsRegistry();
    const g = r.gauge('g', 'G.', ['k']);
    g.set(['a'], 5);
    g.inc(['a']);
    g.inc(['a'], -2.5);
    g.inc(['b']);
    g.set(['inf'], Infinity);
    g.set(['ninf'], -Infinity);
    g.set(['nan'], NaN);
    expect(family(r, 'g').metrics.map((m) => [m.labels?.k, m.value])).toEqual([
      ['a', '3.5'], ['b', '1'], ['inf', '+Inf'], ['ninf', '-Inf'], ['nan', 'NaN'],
    ]);
  });
});

describe('collect()', () => {
  it('reads live values at every render, escaping labels and dropping duplicate series', () => {
    const open = new Map<string, number>([['gpt-4o', 0]]);
    const r = new MetricsRegistry();
    r.collect('routerly_circuit_open', 'Circuit state per model.', 'gauge', () =>
      [...open, ['gpt-4o', 9] as const].map(([model, value]) => ({ labels: { model, provider: 'p"1' }, value })),
    );
    r.collect('routerly_tokens_total', 'Tokens.', 'counter', function* () {
      yield { labels: {}, value: 42 };
    });
    expect(family(r, 'routerly_circuit_open').metrics).toEqual([{ labels: { model: 'gpt-4o', provider: 'p"1' }, value: '0' }]);
    open.set('gpt-4o', 1).set('claude\n', 0);
    const parsed = parse(r);
    expect(parsed.get('routerly_circuit_open')?.metrics.map((m) => [m.labels?.model, m.value])).toEqual([['gpt-4o', '1'], ['claude\n', '0']]);
    expect(parsed.get('routerly_tokens_total')).toMatchObject({ type: 'COUNTER', metrics: [{ value: '42' }] });
  });

  it('fails the render on a label name a callback should never produce', () => {
    const r = new MetricsRegistry();
    r.collect('x', 'X.', 'gauge', () => [{ labels: { 'bad-name': 'v' }, value: 1 }]);
    expect(() => r.render()).toThrow(/invalid label name/);
  });
});

describe('registration', () => {
  it('validates metric and label names', () => {
    const r = new MetricsRegistry();
    for (const name of ['', '1abc', 'a-b', 'a b', 'é', '__reserved']) expect(() => r.counter(name, 'H.', []), name).toThrow(TypeError);
    for (const label of ['', '1a', 'a-b', 'a:b', '__name__']) expect(() => r.counter('c_total', 'H.', [label]), label).toThrow(TypeError);
    expect(() => r.counter('c_total', 'H.', ['a', 'a'])).toThrow(/duplicate label/);
    expect(() => r.histogram('h', 'H.', ['le'], [1])).toThrow(/le is reserved/);
    expect(() => r.counter('c_total', '  ', [])).toThrow(/help/);
    r.counter('ns:c_total', 'Colons are allowed in metric names.', ['le', '_private']); // le is only reserved in histograms
  });

  it('throws on duplicates, histogram sample names included', () => {
    const r = new MetricsRegistry();
    r.counter('c_total', 'C.', []);
    r.histogram('h', 'H.', [], [1]);
    r.counter('x_sum', 'X.', []);
    expect(() => r.gauge('c_total', 'C.', [])).toThrow(/already registered/);
    expect(() => r.collect('c_total', 'C.', 'counter', () => [])).toThrow(/already registered/);
    expect(() => r.counter('h_bucket', 'B.', [])).toThrow(/already registered/);
    expect(() => r.histogram('x', 'X.', [], [1])).toThrow(/x_sum is already registered/);
    expect(() => r.counter(SERIES_DROPPED_METRIC, 'D.', [])).toThrow(/already registered/);
  });

  it('throws when an update gives the wrong number of label values', () => {
    const r = new MetricsRegistry();
    const c = r.counter('c_total', 'C.', ['a', 'b']);
    const g = r.gauge('g', 'G.', []);
    const h = r.histogram('h', 'H.', ['a'], [1]);
    expect(() => c.inc(['x'])).toThrow(/expected 2 label values \(a, b\), got 1/);
    expect(() => c.inc(['x', 'y', 'z'])).toThrow(TypeError);
    expect(() => g.set(['x'], 1)).toThrow(TypeError);
    expect(() => h.observe([], 1)).toThrow(TypeError);
    expect(r.render()).not.toMatch(/^[^#]/m); // nothing was recorded
  });

  it('requires a positive integer series cap', () => {
    expect(() => new MetricsRegistry({ maxSeriesPerMetric: 0 })).toThrow(RangeError);
    expect(() => new MetricsRegistry({ maxSeriesPerMetric: 1.5 })).toThrow(RangeError);
  });
});

describe('series cap', () => {
  it('drops new series past the cap, keeps updating existing ones, and counts the drops', () => {
    const r = new MetricsRegistry({ maxSeriesPerMetric: 2 });
    const c = r.counter('c_total', 'C.', ['model']);
    const h = r.histogram('h', 'H.', ['model'], [1]);
    expect(r.render()).not.toContain(SERIES_DROPPED_METRIC); // only rendered once something was dropped
    r.collect('live', 'L.', 'gauge', () => ['a', 'b', 'c'].map((model) => ({ labels: { model }, value: 1 })));
    for (const m of ['a', 'b', 'c', 'd', 'a']) c.inc([m]);
    h.observe(['a'], 1);
    const parsed = parse(r);
    expect(parsed.get('c_total')?.metrics.map((m) => [m.labels?.model, m.value])).toEqual([['a', '2'], ['b', '1']]);
    expect(parsed.get('live')?.metrics).toHaveLength(2);
    expect(parsed.get(SERIES_DROPPED_METRIC)).toEqual({
      name: SERIES_DROPPED_METRIC,
      help: 'Metric updates dropped because the metric reached its series cap.',
      type: 'COUNTER',
      // c and d for the counter; the collected metric's third sample, counted once per render.
      metrics: [
        { labels: { metric: 'c_total' }, value: '2' },
        { labels: { metric: 'live' }, value: '1' },
      ],
    });
    expect([...parsed.keys()].at(-1)).toBe(SERIES_DROPPED_METRIC);
  });

  it('defaults to 10,000 series per metric', () => {
    const r = new MetricsRegistry();
    const g = r.gauge('g', 'G.', ['id']);
    for (let i = 0; i <= 10_000; i++) g.set([String(i)], i);
    const parsed = parse(r);
    expect(parsed.get('g')?.metrics).toHaveLength(10_000);
    expect(parsed.get(SERIES_DROPPED_METRIC)?.metrics).toEqual([{ labels: { metric: 'g' }, value: '1' }]);
  });
});
