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

/**
 * Operations per second of this process's CPU time (user + system) while `run` repeats for about
 * `ms` of wall time: on a shared machine, wall time would charge other processes' work to us.
 */
export function cpuRate(run: () => void, perCall: number, ms: number): number {
  let calls = 0;
  const start = process.cpuUsage();
  const wallEnd = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  do {
    for (let i = 0; i < 16; i++) run();
    calls += 16;
  } while (process.hrtime.bigint() < wallEnd);
  const used = process.cpuUsage(start);
  return (calls * perCall) / ((used.user + used.system) / 1e6);
}

/** The middle value; of an even count, the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** 1.23 G, 456.7 M */
export function rate(perSecond: number): string {
  return perSecond >= 1e9 ? `${(perSecond / 1e9).toFixed(2)} G` : `${(perSecond / 1e6).toFixed(1)} M`;
}

/**
 * Two kinds of work measured side by side: `rounds` alternating rounds of about `roundMs` each (a
 * warm-up round each first), each round's rate on this process's CPU time. Returns the median rate
 * of each and the median of the per-round ratios `work / baseline`: rounds measured next to each
 * other see the same load and heap, so their ratio moves far less than rates measured minutes apart.
 */
export async function sideBySide(
  baseline: () => number | Promise<number>,
  work: () => number | Promise<number>,
  rounds = 7,
  roundMs = 300,
): Promise<{ baseline: number; work: number; ratio: number }> {
  const once = async (run: () => number | Promise<number>): Promise<number> => {
    let done = 0;
    const start = process.cpuUsage();
    const wallEnd = performance.now() + roundMs;
    do done += await run();
    while (performance.now() < wallEnd);
    const used = process.cpuUsage(start);
    return done / ((used.user + used.system) / 1e6);
  };
  await once(baseline);
  await once(work);
  const base: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always runs on the other's garbage.
    let b: number;
    let w: number;
    if (r % 2 === 0) {
      b = await once(baseline);
      w = await once(work);
    } else {
      w = await once(work);
      b = await once(baseline);
    }
    base.push(b);
    ours.push(w);
    ratios.push(w / b);
  }
  return { baseline: median(base), work: median(ours), ratio: median(ratios) };
}
