// Where a run's wall time goes: seconds per phase (data loading, training steps, augmentation,
// validation, checkpoints, …), summed over the run. The trainer records them into metrics.json's
// `phases` and the CLI's --json output, so a slow run can be explained without a profiler.
// Timing costs one performance.now() pair per phase entry: nothing that shows up next to a step.

export type PhaseName =
  /** Process start to the trainer's first line: Node, tsx and the imports of the command. */
  | 'startup'
  | 'backend'
  /** Reading, decoding and preprocessing every image, the split and the fingerprint. */
  | 'data'
  | 'model'
  /** Creating the step: gradient workers started and their replicas built. */
  | 'stepSetup'
  /** Gathering each batch from the shuffled order and augmenting it. */
  | 'batch'
  /** TrainStep.step: forward, backward, gradient averaging and the update. */
  | 'step'
  | 'validation'
  | 'saveBest'
  | 'checkpoint'
  /** The best model read back and evaluated on validation and test at the end. */
  | 'finalEval'
  /** metrics.json and report.html. */
  | 'report';

export type PhaseSeconds = Partial<Record<PhaseName, number>>;

export class PhaseClock {
  private readonly totals = new Map<PhaseName, number>();

  add(name: PhaseName, seconds: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + seconds);
  }

  /** Runs `fn` and charges its wall time (also when it throws) to `name`. */
  async time<T>(name: PhaseName, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, (performance.now() - t0) / 1000);
    }
  }

  timeSync<T>(name: PhaseName, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.add(name, (performance.now() - t0) / 1000);
    }
  }

  /** Seconds per phase, to the millisecond, in the order the phases were first entered. */
  snapshot(): PhaseSeconds {
    const out: PhaseSeconds = {};
    for (const [name, s] of this.totals) out[name] = Math.round(s * 1000) / 1000;
    return out;
  }
}
