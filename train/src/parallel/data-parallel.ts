// Data parallelism over worker_threads, because multi-threaded wasm is disabled in Node: each worker
// holds a model replica on the patched wasm backend and computes the gradient of its shard of the batch;
// this thread averages the shards' gradients (weighted by shard size, so the result is the gradient of
// the whole batch's mean loss), applies one optimizer update to the master model, and sends the new
// weights with the next shard. BatchNorm normalises with each shard's own statistics, as PyTorch's
// DistributedDataParallel does without SyncBatchNorm: identical to one worker in expectation, not bit
// for bit; models without BatchNorm get the same gradients as one worker up to float rounding.
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { HeadKind } from '../models/index.ts';
import type { EvaluateBatch } from '../training/metrics.ts';
import type { Optimizer } from '../training/optimizer.ts';
import { trainableVariables, type Batch, type StepResult, type TrainStep } from '../training/step.ts';
import type {
  EvalRequest,
  EvalResult,
  ModelMessage,
  ShardRequest,
  ShardResult,
  WorkerInit,
  WorkerMessage,
  WorkerReady,
  WorkerRequest,
} from './protocol.ts';

export interface DataParallelOptions {
  workers: number;
  /** Workers started earlier (launchGradientWorkers), `workers` of them; started here when absent. */
  launched?: LaunchedWorkers;
  head?: HeadKind;
  labelSmoothing?: number;
}

export interface BatchGradients {
  loss: number;
  correct: number;
  /** Batch-mean-loss gradient per trainable weight (model.trainableWeights order). */
  grads: Float32Array[];
  /** Shard-size-weighted mean of the replicas' BatchNorm moving statistics after the forward pass. */
  state: Float32Array[];
}

class GradientWorker {
  private readonly worker: Worker;
  private pending = new Map<number, { resolve: (r: ShardResult | EvalResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  readonly ready: Promise<WorkerReady>;

  constructor() {
    // Workers run TypeScript through tsx, like the CLI itself (worker-entry.mjs registers it).
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url));
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.kind === 'ready') return resolve(msg);
        const waiter = msg.id === undefined ? undefined : this.pending.get(msg.id);
        if (msg.kind === 'error' && waiter === undefined)
          return reject(new Error(`gradient worker failed: ${msg.message}`));
        if (waiter === undefined) return;
        this.pending.delete(msg.id!);
        if (msg.kind === 'error') waiter.reject(new Error(`gradient worker failed: ${msg.message}`));
        else waiter.resolve(msg);
      });
    });
    const failAll = (err: Error) => {
      for (const w of this.pending.values()) w.reject(err);
      this.pending.clear();
    };
    worker.on('error', failAll);
    // A worker killed by the OOM killer or process.exit sends no 'error': never leave a step waiting.
    worker.on('exit', (code) => failAll(new Error(`gradient worker exited (code ${code})`)));
  }

  /** Builds the replica; `ready` resolves when it is built. */
  build(init: WorkerInit): void {
    this.worker.postMessage({ kind: 'model', ...init } satisfies ModelMessage);
  }

  compute(req: Omit<ShardRequest, 'kind' | 'id'>): Promise<ShardResult> {
    return this.request({ kind: 'shard', id: this.nextId++, ...req }) as Promise<ShardResult>;
  }

  evaluate(req: Omit<EvalRequest, 'kind' | 'id'>): Promise<EvalResult> {
    return this.request({ kind: 'eval', id: this.nextId++, ...req }) as Promise<EvalResult>;
  }

  private request(req: WorkerRequest): Promise<ShardResult | EvalResult> {
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      this.worker.postMessage(req, [req.x.buffer as ArrayBuffer, req.y.buffer as ArrayBuffer]);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Splits `count` into `parts` contiguous shards whose sizes differ by at most one (empty ones dropped). */
export function shardSizes(count: number, parts: number): number[] {
  const base = Math.floor(count / parts);
  const extra = count % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0)).filter((n) => n > 0);
}

/**
 * Gradient workers started before their model exists, so that loading TF.js and the wasm backend in each
 * (seconds) overlaps with reading the data. Hand them to DataParallelGradients.start (which then owns them),
 * or terminate them.
 */
export class LaunchedWorkers {
  /** @internal */
  readonly workers: GradientWorker[];
  private claimed = false;

  constructor(readonly count: number) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`workers must be a positive integer, got ${count}`);
    this.workers = Array.from({ length: count }, () => new GradientWorker());
    // A worker that dies before it is claimed is reported when it is (its `ready` rejects then).
    for (const w of this.workers) w.ready.catch(() => {});
  }

  /** @internal */
  claim(): GradientWorker[] {
    if (this.claimed) throw new Error('these gradient workers already serve a model');
    this.claimed = true;
    return this.workers;
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export class DataParallelGradients {
  private constructor(
    private readonly model: tfl.LayersModel,
    private readonly workers: GradientWorker[],
    /** What each worker reported when its replica was built. */
    readonly replicas: WorkerReady[],
  ) {}

  static async start(model: tfl.LayersModel, opts: DataParallelOptions): Promise<DataParallelGradients> {
    const launched = opts.launched ?? new LaunchedWorkers(opts.workers);
    if (launched.count !== opts.workers) throw new Error(`${launched.count} workers were launched for ${opts.workers}`);
    const workers = launched.claim();
    const init: WorkerInit = {
      topology: JSON.stringify(model.toJSON(null, false)),
      head: opts.head ?? 'softmax',
      labelSmoothing: opts.labelSmoothing ?? 0,
    };
    for (const w of workers) w.build(init);
    let replicas: WorkerReady[];
    try {
      replicas = await Promise.all(workers.map((w) => w.ready));
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    return new DataParallelGradients(model, workers, replicas);
  }

  get size(): number {
    return this.workers.length;
  }

  async compute(batch: Batch): Promise<BatchGradients> {
    const weights = (await Promise.all(this.model.weights.map((w) => w.read().data()))) as Float32Array[];
    const [h, w, c] = batch.shape;
    const pixels = h * w * c;
    const sizes = shardSizes(batch.count, this.workers.length);
    let offset = 0;
    const results = await Promise.all(
      sizes.map((n, i) => {
        const from = offset;
        offset += n;
        return this.workers[i]!.compute({
          weights,
          x: batch.x.slice(from * pixels, (from + n) * pixels),
          y: batch.y.slice(from, from + n),
          count: n,
          shape: batch.shape,
        });
      }),
    );
    const share = sizes.map((n) => n / batch.count);
    return {
      loss: results.reduce((s, r, i) => s + share[i]! * r.loss, 0),
      correct: results.reduce((s, r) => s + r.correct, 0),
      grads: weightedMean(
        results.map((r) => r.grads),
        share,
      ),
      state: weightedMean(
        results.map((r) => r.state),
        share,
      ),
    };
  }

  /**
   * Evaluation batches of `model` (same topology as the replicas, any weights: the trained model, the best one
   * read back) spread over the workers: each batch in contiguous shards, one per worker, inference mode. The
   * weights travel once per worker, with its first shard.
   */
  evaluator(model: tfl.LayersModel, shape: [number, number, number]): EvaluateBatch {
    let weights: Promise<Float32Array[]> | null = null;
    const sent = new Set<number>();
    const pixels = shape[0] * shape[1] * shape[2];
    return async (x, y, count) => {
      weights ??= Promise.all(model.weights.map((w) => w.read().data() as Promise<Float32Array>));
      const values = await weights;
      const sizes = shardSizes(count, this.workers.length);
      let offset = 0;
      const parts = await Promise.all(
        sizes.map((n, i) => {
          const from = offset;
          offset += n;
          const first = !sent.has(i);
          sent.add(i);
          return this.workers[i]!.evaluate({
            ...(first ? { weights: values } : {}),
            x: x.slice(from * pixels, (from + n) * pixels),
            y: y.slice(from, from + n),
            count: n,
            shape,
          });
        }),
      );
      return {
        lossSum: parts.reduce((s, p) => s + p.lossSum, 0),
        predicted: concat(parts.map((p) => p.predicted)),
        top5: parts[0]!.top5 ? concat(parts.map((p) => p.top5!)) : null,
      };
    };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function weightedMean(perShard: Float32Array[][], share: number[]): Float32Array[] {
  const first = perShard[0]!;
  return first.map((_, k) => {
    const out = new Float32Array(first[k]!.length);
    perShard.forEach((arrays, s) => {
      const a = arrays[k]!;
      const f = share[s]!;
      for (let i = 0; i < out.length; i++) out[i]! += f * a[i]!;
    });
    return out;
  });
}

/**
 * A TrainStep (same contract as training/step.ts createLocalStep) whose gradients come from `workers`
 * worker threads. The master model and the optimizer stay on this thread's backend.
 */
export async function createDataParallelStep(
  model: tfl.LayersModel,
  optimizer: Optimizer,
  opts: DataParallelOptions,
): Promise<TrainStep> {
  const pool = await DataParallelGradients.start(model, opts);
  const vars = trainableVariables(model);
  return {
    async step(batch: Batch, lr: number): Promise<StepResult> {
      const result = await pool.compute(batch);
      const grads = result.grads.map((g, i) => tf.tensor(g, vars[i]!.shape));
      optimizer.apply(grads, lr);
      tf.dispose(grads);
      model.nonTrainableWeights.forEach((w, i) => {
        const value = tf.tensor(result.state[i]!, w.shape as number[]);
        w.write(value);
        value.dispose();
      });
      return { loss: result.loss, correct: result.correct };
    },
    evaluator: (m, shape) => pool.evaluator(m, shape),
    dispose() {
      void pool.dispose();
    },
  };
}
