/** Small statistics for the lifecycle bench (no dependencies). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export function spread(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (n: number | undefined): string => (n === undefined ? "—" : fmt(n));
  return `${f(percentile(sorted, 50))} (${f(sorted[0])}–${f(sorted[sorted.length - 1])})`;
}

export function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(1);
}
