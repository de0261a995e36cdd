/**
 * Fixed log-scale histograms of call latencies (and times to first byte), for percentiles that
 * rollups can add up across writers, hours and projects: every histogram has the same buckets,
 * so two are merged by adding counts, and a period's p95 needs no raw record.
 *
 * Bucket edges are 2^(2k/3) ms for k = 0…29: 1 ms, 1.59 ms, 2.52 ms, 4 ms, … about 659,000 ms
 * (11 minutes), each edge 2^(2/3) ≈ 1.587 times the one before. Bucket 0 holds [0, 1] ms, bucket
 * k holds (edge k-1, edge k], and bucket 30 everything past 11 minutes: 31 buckets in all.
 *
 * In memory a histogram is an array of counts by bucket, only as long as its highest bucket used
 * (an empty one is `[]`, so rows that never see a latency cost nothing). In a rollup document it
 * is stored sparse, as `[bucket, count, bucket, count, …]` for the buckets that have counts:
 * latencies bunch up in a few buckets, so a row stores a handful of numbers, not 31.
 */
export const HISTOGRAM_BUCKETS = 31;
const RATIO_EXPONENT = 2 / 3;
/** The upper edge of bucket k (the last bucket has none). */
export const bucketEdge = (k: number): number => 2 ** (k * RATIO_EXPONENT);
const LAST_EDGE = bucketEdge(HISTOGRAM_BUCKETS - 2);

/** The bucket a latency in ms falls in; undefined for a value that is no latency (negative, NaN). */
export function bucketOf(ms: number): number | undefined {
  if (!(ms >= 0) || !Number.isFinite(ms)) return undefined;
  if (ms <= 1) return 0;
  if (ms > LAST_EDGE) return HISTOGRAM_BUCKETS - 1;
  // The smallest k with 2^(2k/3) >= ms; the edge test corrects float rounding either way.
  let k = Math.ceil(Math.log2(ms) / RATIO_EXPONENT);
  if (bucketEdge(k) < ms) k++;
  else if (k > 1 && bucketEdge(k - 1) >= ms) k--;
  return k;
}

/** Counts one latency; a value that is no latency is not counted. */
export function countLatency(histogram: number[], ms: number | null | undefined): void {
  if (typeof ms !== 'number') return;
  const bucket = bucketOf(ms);
  if (bucket === undefined) return;
  while (histogram.length <= bucket) histogram.push(0);
  histogram[bucket]!++;
}

/** Adds `from`'s counts into `into` (which may be shorter: it grows). */
export function addHistogram(into: number[], from: readonly number[]): void {
  while (into.length < from.length) into.push(0);
  for (let k = 0; k < from.length; k++) into[k]! += from[k]!;
}

/**
 * The latency below which a fraction `q` (0–1) of the counted values lie, estimated from the
 * histogram, or null when it is empty. The true value lies in the same bucket as the estimate,
 * so the estimate is within a factor of 2^(2/3) ≈ 1.59 of it (either way) at worst; within the
 * bucket it is interpolated geometrically by rank, which for smooth distributions usually lands
 * within a few percent. Past the last edge (11 minutes) the answer is that edge: a floor.
 */
export function estimatePercentile(histogram: readonly number[], q: number): number | null {
  let total = 0;
  for (const count of histogram) total += count;
  if (total === 0) return null;
  const rank = Math.min(Math.max(q, 0), 1) * total;
  let below = 0;
  for (let k = 0; k < histogram.length; k++) {
    const count = histogram[k]!;
    if (count === 0 || below + count < rank) {
      below += count;
      continue;
    }
    const fraction = (rank - below) / count;
    if (k === 0) return round1(fraction);
    if (k === HISTOGRAM_BUCKETS - 1) return round1(LAST_EDGE);
    const lower = bucketEdge(k - 1);
    return round1(lower * (bucketEdge(k) / lower) ** fraction);
  }
  return null;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** The stored form: `[bucket, count, …]` for each bucket with counts, in bucket order. */
export function toSparse(histogram: readonly number[]): number[] {
  const sparse: number[] = [];
  for (let k = 0; k < histogram.length; k++) if (histogram[k]! > 0) sparse.push(k, histogram[k]!);
  return sparse;
}

/** The histogram a stored form holds, or undefined when it is not one this module writes. */
export function fromSparse(value: unknown): number[] | undefined {
  if (!Array.isArray(value) || value.length % 2 !== 0) return undefined;
  const histogram: number[] = [];
  let previous = -1;
  for (let at = 0; at < value.length; at += 2) {
    const bucket: unknown = value[at];
    const count: unknown = value[at + 1];
    if (!Number.isInteger(bucket) || (bucket as number) <= previous || (bucket as number) >= HISTOGRAM_BUCKETS) return undefined;
    if (!Number.isSafeInteger(count) || (count as number) <= 0) return undefined;
    while (histogram.length < (bucket as number)) histogram.push(0);
    histogram.push(count as number);
    previous = bucket as number;
  }
  return histogram;
}
