// Timing shared by the benchmarks.

/** Median and p90 of `runs` timed calls after one warm-up, in ms. */
export async function latency(fn: () => unknown, runs: number): Promise<{ p50: number; p90: number }> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(t.length / 2)]!, p90: t[Math.min(t.length - 1, Math.floor(t.length * 0.9))]! };
}
