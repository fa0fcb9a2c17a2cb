// Learning-rate schedules as pure functions of the global step (0-based, one step = one batch).
// They compose: `warmup(steps, cosine(...))` ramps linearly to the inner schedule's value.

export type Schedule = (step: number) => number;

export const constant =
  (lr: number): Schedule =>
  () =>
    lr;

/** Multiply by `gamma` every `everySteps` steps (He et al. divide by 10 at fixed points). */
export function stepDecay(lr: number, everySteps: number, gamma = 0.1): Schedule {
  const every = Math.max(1, Math.floor(everySteps));
  return (step) => lr * gamma ** Math.floor(step / every);
}

/** Half-cosine from `lr` at step 0 to `minLr` at `totalSteps` (Loshchilov & Hutter, no restarts). */
export function cosine(lr: number, totalSteps: number, minLr = 0): Schedule {
  const total = Math.max(1, totalSteps);
  return (step) => minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * Math.min(step, total)) / total))) / 2;
}

/**
 * Linear warm-up over `warmupSteps` steps into `inner`. Step k < warmupSteps gets
 * inner(warmupSteps) * (k + 1) / warmupSteps; afterwards the inner schedule runs on the
 * global step, so warm-up does not shift the decay points.
 */
export function warmup(warmupSteps: number, inner: Schedule): Schedule {
  if (warmupSteps <= 0) return inner;
  return (step) => (step < warmupSteps ? (inner(warmupSteps) * (step + 1)) / warmupSteps : inner(step));
}

export type ScheduleKind = 'constant' | 'step' | 'cosine';

export interface ScheduleConfig {
  kind: ScheduleKind;
  lr: number;
  epochs: number;
  stepsPerEpoch: number;
  warmupEpochs: number;
  /** For 'step': decay points as fractions of training (default 0.5 and 0.75, as in He et al.'s 32k/48k of 64k). */
  milestones?: number[];
  gamma?: number;
}

export function buildSchedule(c: ScheduleConfig): Schedule {
  const total = c.epochs * c.stepsPerEpoch;
  const warm = Math.round(c.warmupEpochs * c.stepsPerEpoch);
  let inner: Schedule;
  switch (c.kind) {
    case 'constant':
      inner = constant(c.lr);
      break;
    case 'cosine':
      inner = cosine(c.lr, total);
      break;
    case 'step': {
      const points = (c.milestones ?? [0.5, 0.75]).map((f) => Math.round(f * total));
      const gamma = c.gamma ?? 0.1;
      inner = (step) => c.lr * gamma ** points.filter((p) => step >= p).length;
      break;
    }
  }
  return warmup(warm, inner);
}
