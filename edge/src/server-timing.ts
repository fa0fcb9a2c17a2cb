// Where a request's time goes, as a standard `Server-Timing` header (`upload;dur=0.4, model;dur=0, …`) that
// browsers' devtools and the edge benchmark read without changing the JSON answer. Durations are in ms as the
// runtime's clock gives them: local workerd's performance.now() ticks in whole milliseconds, and a deployed
// worker's clock only advances at I/O, so one request's figures are coarse; means over many requests are not.

export interface PhaseTimer {
  /** Ends the phase that began at the previous mark (or at the start) and names it. */
  mark(name: string): void;
  /** Adds a phase measured elsewhere (e.g. classify's own decode/preprocess/infer split). */
  add(name: string, ms: number): void;
  /** The header value: every phase in order, then `total` since the timer started. */
  header(): string;
}

export function startPhaseTimer(now: () => number = () => performance.now()): PhaseTimer {
  const started = now();
  let last = started;
  const phases: [string, number][] = [];
  return {
    mark(name) {
      const t = now();
      phases.push([name, t - last]);
      last = t;
    },
    add(name, ms) {
      phases.push([name, ms]);
    },
    header() {
      return [...phases, ['total', now() - started] as [string, number]]
        .map(([name, ms]) => `${name};dur=${Math.max(0, ms).toFixed(2)}`)
        .join(', ');
    },
  };
}

/** `Server-Timing` back into `{ name: ms }` (for the benchmark and tests); entries without `dur` are skipped. */
export function parseServerTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of (header ?? '').split(',')) {
    const [name, ...params] = entry.trim().split(';');
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith('dur='));
    if (name && dur !== undefined) out[name] = Number(dur.slice(4));
  }
  return out;
}
