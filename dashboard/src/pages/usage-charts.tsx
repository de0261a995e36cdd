import { useMemo } from 'preact/hooks';
import { TimeChart, type Series } from '../ui/chart';
import { ms, usd } from '../ui/format';
import type { UsageSummary } from './usage-api';
import { timeSeries } from './usage-series';
import './usage.css';

const rate = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(0)) + '/min';
const pct = (value: number) => value.toFixed(1) + '%';

/**
 * Calls per minute, error rate, latency percentiles and cost over time, from a summary grouped
 * by hour or day. The series are memoized: TimeChart rebuilds its canvas when they change.
 */
export function UsageCharts(props: { summary: UsageSummary }) {
  const charts = useMemo(() => {
    const data = timeSeries(props.summary);
    const one = (label: string, values: (number | null)[], format: (value: number) => string): Series[] => [{ label, values, format }];
    return {
      times: data.times,
      calls: one('Calls per minute', data.callsPerMinute, rate),
      errors: one('Error rate', data.errorRate, pct),
      latency: [
        { label: 'p50', values: data.p50LatencyMs, format: ms },
        { label: 'p95', values: data.p95LatencyMs, format: ms },
      ],
      cost: one('Cost', data.costUsd, usd),
    };
  }, [props.summary]);
  const unit = props.summary.groupBy === 'hour' ? 'by hour' : 'by day';
  return (
    <div class="grid usage-charts">
      <TimeChart title={`Calls per minute (${unit})`} times={charts.times} series={charts.calls} />
      {/* Bars: a bucket without calls has no rate or latency, and a line cannot show a lone bucket between two such gaps. */}
      <TimeChart title={`Error rate (${unit})`} times={charts.times} series={charts.errors} bars />
      <TimeChart title={`Latency p50 / p95 (${unit})`} times={charts.times} series={charts.latency} bars />
      <TimeChart title={`Cost (${unit})`} times={charts.times} series={charts.cost} bars />
    </div>
  );
}
