import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
  /** How a value reads in the legend (defaults to the number). */
  format?: (value: number) => string;
}

const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];

/**
 * A time-series line chart (uPlot: ~50 KB, canvas, fast with thousands of points). `times` are
 * epoch milliseconds. It follows its container's width; the theme's colours come from CSS.
 */
export function TimeChart(props: { title: string; times: number[]; series: Series[]; height?: number; bars?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const styles = getComputedStyle(document.documentElement);
    const axisColor = styles.getPropertyValue('--muted').trim() || '#888';
    const gridColor = styles.getPropertyValue('--border').trim() || '#ddd';
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } };
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: props.height ?? 200,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: 60 }],
      series: [
        {},
        ...props.series.map((series, i) => ({
          label: series.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          fill: props.bars ? PALETTE[i % PALETTE.length] + '55' : undefined,
          paths: props.bars ? uPlot.paths.bars!({ size: [0.7, 40] }) : undefined,
          value: (_: uPlot, value: number | null) => (value === null ? '—' : series.format ? series.format(value) : String(Math.round(value * 100) / 100)),
          spanGaps: false,
        })),
      ],
    };
    const data: uPlot.AlignedData = [props.times.map((t) => t / 1000), ...props.series.map((series) => series.values)];
    const chart = new uPlot(options, data, element);
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height: props.height ?? 200 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [props.times, props.series, props.height, props.bars]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} role="img" aria-label={`${props.title}: chart`} />
    </figure>
  );
}
