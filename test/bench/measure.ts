/** Runs `work` repeatedly for at least `minMs` after a warm-up and returns operations per second. */
export function measure(work: () => number, minMs = 400): number {
  const warmUntil = performance.now() + minMs / 4;
  while (performance.now() < warmUntil) work();
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    done += work();
    elapsed = performance.now() - start;
  }
  return done / (elapsed / 1000);
}

export async function measureAsync(work: () => Promise<number>, minMs = 400): Promise<number> {
  const warmUntil = performance.now() + minMs / 4;
  while (performance.now() < warmUntil) await work();
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    done += await work();
    elapsed = performance.now() - start;
  }
  return done / (elapsed / 1000);
}

export function millions(rate: number): string {
  return `${(rate / 1e6).toFixed(1)} M/s`;
}

export function table(rows: ReadonlyArray<readonly string[]>): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => '  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')).join('\n');
}
