// Messages between the data-parallel coordinator (main thread) and its gradient workers. Only typed
// arrays and plain objects cross the thread boundary: each side holds its own tfjs engine.
import type { HeadKind } from '../models/index.ts';

export interface WorkerInit {
  /** tf.layers topology (model.toJSON()), so any LayersModel can be replicated, not only named archs. */
  topology: string;
  head: HeadKind;
  labelSmoothing: number;
}

/** The first message to a started worker: build the replica. */
export interface ModelMessage extends WorkerInit {
  kind: 'model';
}

export interface ShardRequest {
  kind: 'shard';
  id: number;
  /** Every weight of the model, in model.weights order (trainable and BatchNorm statistics). */
  weights: Float32Array[];
  x: Float32Array;
  y: Int32Array;
  count: number;
  shape: [number, number, number];
}

export interface ShardResult {
  kind: 'shard';
  id: number;
  /** Mean loss over the shard. */
  loss: number;
  correct: number;
  /** Gradient of the shard's mean loss, per trainable weight, in model.trainableWeights order. */
  grads: Float32Array[];
  /** Non-trainable weights (BatchNorm moving statistics) after the shard's forward pass. */
  state: Float32Array[];
}

/** Inference on a shard of an evaluation batch (BatchNorm in inference mode), with the outcome's numbers only. */
export interface EvalRequest {
  kind: 'eval';
  id: number;
  /** Every weight, model.weights order; sent with an evaluation's first request to each worker, absent after. */
  weights?: Float32Array[];
  x: Float32Array;
  y: Int32Array;
  count: number;
  shape: [number, number, number];
}

export interface EvalResult {
  kind: 'eval';
  id: number;
  /** Loss summed over the shard (no label smoothing). */
  lossSum: number;
  predicted: Int32Array;
  /** Five class indices per image, or null with 5 classes or fewer. */
  top5: Int32Array | null;
}

export interface WorkerReady {
  kind: 'ready';
  backend: string;
  weightCount: number;
  /** BatchNorm layers of the replica that train on the fused op (layers/batch-norm.ts): all of them, or it is slow. */
  fusedBatchNormLayers: number;
  /** Convolutions rebuilt as train/src/layers/conv2d.ts's layer (lazy gradients), not the stock one. */
  trainingConv2DLayers: number;
}

export interface WorkerFailure {
  kind: 'error';
  id?: number;
  message: string;
}

export type WorkerRequest = ShardRequest | EvalRequest;
export type WorkerMessage = ShardResult | EvalResult | WorkerReady | WorkerFailure;
