// The training loop: epochs of shuffled, augmented mini-batches through a TrainStep, validation
// after each epoch, best-on-validation kept, a checkpoint every epoch, optional early stopping and time limit.
// Deterministic for a given seed: one Rng drives shuffling and augmentation and is checkpointed,
// so a resumed run draws the same batches as an uninterrupted one.
import type * as tfl from '@tensorflow/tfjs-layers';
import { TrainError } from '../errors.ts';
import type { HeadKind as Head } from '../models/head.ts';
import { augmentBatch, type AugmentConfig } from './augment.ts';
import { loadCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint.ts';
import { lossFor } from './loss.ts';
import { evaluate, type EvalMetrics, type LabelledArrays } from './metrics.ts';
import { Optimizer, type OptimizerConfig } from './optimizer.ts';
import { Rng } from './rng.ts';
import { buildSchedule, type ScheduleKind } from './schedule.ts';
import { PhaseClock } from './phases.ts';
import { createLocalStep, trainableVariables, type Batch, type TrainStep } from './step.ts';

export interface LoopConfig {
  arch: string;
  labels: string[];
  head: Head;
  epochs: number;
  batchSize: number;
  lr: number;
  schedule: ScheduleKind;
  warmupEpochs: number;
  optimizer: OptimizerConfig;
  labelSmoothing: number;
  augment: AugmentConfig;
  seed: number;
  /** Stop after this many epochs without a better validation top-1 (0 = never). */
  patience: number;
  /**
   * Wall-clock budget of this session's epochs in seconds (0 = none). The loop stops at an epoch boundary, before an
   * epoch that would end past it at the pace of the slowest epoch so far (the first always runs), so the checkpoint is
   * whole and `--resume` continues.
   */
  timeLimitSeconds?: number;
  /** Fine-tuning: learning-rate factor of a weight (`layer/weight`) in a 1-based epoch; 0 freezes it. */
  lrScale?: (weight: string, epoch: number) => number;
}

export interface EpochRecord {
  epoch: number;
  lr: number;
  train: { loss: number; top1: number; images: number };
  validation: EvalMetrics | null;
  seconds: number;
  imagesPerSecond: number;
}

export interface Progress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

export interface LoopHooks {
  onProgress?(p: Progress): void;
  onEpoch?(record: EpochRecord, improved: boolean): void;
  /** Called when validation improved (or every epoch without validation): persist the best model. */
  saveBest?(model: tfl.LayersModel, record: EpochRecord): Promise<void>;
  signal?: AbortSignal;
  /**
   * After the last epoch, while the step still runs (its workers evaluate too): the trainer's final evaluation
   * of the best model. `epochs` counts every epoch in the history, resumed ones included.
   */
  finish?(evaluate: ModelEvaluator, epochs: number): Promise<void>;
  /** Charged with the loop's phases (step setup, batches, steps, validation, checkpoints). */
  phases?: PhaseClock;
  /** A different way to compute a step (e.g. data-parallel workers); defaults to createLocalStep. */
  createStep?(
    model: tfl.LayersModel,
    optimizer: Optimizer,
    loss: ReturnType<typeof lossFor>,
  ): TrainStep | Promise<TrainStep>;
}

/** Evaluates any model of the trained topology, on the step's threads when it has its own. */
export type ModelEvaluator = (model: tfl.LayersModel, data: LabelledArrays, batchSize?: number) => Promise<EvalMetrics>;

export type StopReason = 'completed' | 'early_stopping' | 'time_limit' | 'interrupted';

export interface LoopResult {
  history: EpochRecord[];
  best: CheckpointState['best'];
  stopped: StopReason;
  resumedFromEpoch: number;
}

/** Batches per epoch; a trailing batch of one image is dropped (BatchNorm cannot train on it). */
export function stepsPerEpoch(count: number, batchSize: number): number {
  const full = Math.floor(count / batchSize);
  return count % batchSize >= 2 ? full + 1 : Math.max(full, count > 0 ? 1 : 0);
}

export async function trainLoop(
  model: tfl.LayersModel,
  data: { train: LabelledArrays; validation: LabelledArrays | null },
  config: LoopConfig,
  checkpointDir: string,
  resume: boolean,
  hooks: LoopHooks = {},
): Promise<LoopResult> {
  const { train } = data;
  const [h, w, c] = train.shape;
  const size = h * w * c;
  const steps = stepsPerEpoch(train.count, config.batchSize);
  const schedule = buildSchedule({
    kind: config.schedule,
    lr: config.lr,
    epochs: config.epochs,
    stepsPerEpoch: steps,
    warmupEpochs: config.warmupEpochs,
  });
  const optimizer = new Optimizer(config.optimizer, trainableVariables(model));
  const loss = lossFor(config.head, config.labelSmoothing);
  const phases = hooks.phases ?? new PhaseClock();
  const createStep = hooks.createStep ?? createLocalStep;
  const step = await phases.time('stepSetup', async () => createStep(model, optimizer, loss));
  const evaluateOn: ModelEvaluator = (m, arrays, batchSize) =>
    evaluate(m, arrays, config.labels, config.head, batchSize, step.evaluator?.(m, arrays.shape));

  let state: CheckpointState<EpochRecord> = {
    epoch: 0,
    step: 0,
    rng: new Rng(config.seed).getState(),
    arch: config.arch,
    labels: config.labels,
    best: null,
    sinceBest: 0,
    history: [],
  };
  if (resume) state = await loadCheckpoint<EpochRecord>(checkpointDir, model, optimizer);
  const resumedFromEpoch = state.epoch;
  const rng = new Rng(state.rng);
  let stopped: LoopResult['stopped'] = 'completed';

  const xBatch = new Float32Array(config.batchSize * size);
  const yBatch = new Int32Array(config.batchSize);
  const started = Date.now();
  let imagesThisSession = 0;
  let slowestEpochMs = 0;

  try {
    for (let epoch = state.epoch; epoch < config.epochs; epoch++) {
      if (state.best && config.patience > 0 && state.sinceBest >= config.patience) {
        stopped = 'early_stopping';
        break;
      }
      // A session's first epoch always runs: until one has, nothing says how long an epoch takes.
      if (
        config.timeLimitSeconds &&
        slowestEpochMs > 0 &&
        Date.now() - started + slowestEpochMs > config.timeLimitSeconds * 1000
      ) {
        stopped = 'time_limit';
        break;
      }
      if (config.lrScale)
        optimizer.setLrScales(model.trainableWeights.map((w) => config.lrScale!(w.originalName, epoch + 1)));
      const epochStart = Date.now();
      const order = rng.permutation(train.count);
      const augRng = rng.fork();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let lr = 0;
      for (let b = 0; b < steps; b++) {
        if (hooks.signal?.aborted) {
          stopped = 'interrupted';
          break;
        }
        const start = b * config.batchSize;
        const n = Math.min(config.batchSize, train.count - start);
        const batch: Batch = phases.timeSync('batch', () => {
          for (let i = 0; i < n; i++) {
            const src = order[start + i]!;
            xBatch.set(train.x.subarray(src * size, (src + 1) * size), i * size);
            yBatch[i] = train.y[src]!;
          }
          const x = augmentBatch(xBatch.subarray(0, n * size), { n, h, w, c }, config.augment, augRng);
          return { x, y: yBatch.slice(0, n), count: n, shape: [h, w, c] };
        });
        lr = schedule(state.step);
        const r = await phases.time('step', () => step.step(batch, lr));
        if (!Number.isFinite(r.loss)) {
          throw new TrainError(
            'diverged',
            `the loss became ${r.loss} at epoch ${epoch + 1}, batch ${b + 1} (learning rate ${lr.toPrecision(3)}): lower --lr`,
          );
        }
        state.step++;
        lossSum += r.loss * n;
        correct += r.correct;
        seen += n;
        imagesThisSession += n;
        const elapsed = (Date.now() - started) / 1000;
        const ips = imagesThisSession / Math.max(elapsed, 1e-3);
        const remainingImages =
          (steps - b - 1) * config.batchSize + (config.epochs - epoch - 1) * steps * config.batchSize;
        hooks.onProgress?.({
          epoch: epoch + 1,
          epochs: config.epochs,
          batch: b + 1,
          batches: steps,
          loss: r.loss,
          imagesPerSecond: ips,
          etaSeconds: config.timeLimitSeconds
            ? Math.min(remainingImages / ips, Math.max(config.timeLimitSeconds - elapsed, 0))
            : remainingImages / ips,
        });
      }
      if (stopped === 'interrupted') break;

      const validation = await phases.time('validation', async () => {
        await step.sync?.();
        return data.validation ? evaluateOn(model, data.validation, Math.max(config.batchSize, 64)) : null;
      });
      const seconds = (Date.now() - epochStart) / 1000;
      const record: EpochRecord = {
        epoch: epoch + 1,
        lr,
        train: { loss: lossSum / Math.max(seen, 1), top1: correct / Math.max(seen, 1), images: seen },
        validation,
        seconds,
        imagesPerSecond: seen / Math.max(seconds, 1e-3),
      };
      const improved = isBetter(validation, state.best);
      if (improved) {
        state.best = {
          epoch: epoch + 1,
          top1: validation?.top1 ?? record.train.top1,
          loss: validation?.loss ?? record.train.loss,
        };
        state.sinceBest = 0;
        await phases.time('saveBest', async () => hooks.saveBest?.(model, record));
      } else {
        state.sinceBest++;
      }
      state.epoch = epoch + 1;
      state.history.push(record);
      state.rng = rng.getState();
      await phases.time('checkpoint', () => saveCheckpoint(checkpointDir, model, optimizer, state));
      slowestEpochMs = Math.max(slowestEpochMs, Date.now() - epochStart);
      hooks.onEpoch?.(record, improved);
    }
    await step.sync?.();
    await hooks.finish?.(evaluateOn, state.history.length);
  } finally {
    step.dispose();
    optimizer.dispose();
  }
  return { history: state.history, best: state.best, stopped, resumedFromEpoch };
}

/** Higher validation top-1 wins, ties go to the lower loss. Without validation every epoch "improves" (last = best). */
function isBetter(v: EvalMetrics | null, best: CheckpointState['best']): boolean {
  if (!v) return true;
  if (!best) return true;
  return v.top1 > best.top1 || (v.top1 === best.top1 && v.loss < best.loss);
}
