/** Nearest-rank percentile of unsorted values (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function formatRate(count: number, seconds: number): string {
  if (seconds <= 0) return 'n/a';
  const rate = count / seconds;
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)}M/s`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)}k/s`;
  return `${rate.toFixed(1)}/s`;
}
