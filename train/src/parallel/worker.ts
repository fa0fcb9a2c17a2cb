// One gradient worker: a model replica on the patched wasm backend. It receives the current weights and a
// shard of the batch, and returns the shard's loss and gradients; it never updates weights itself.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../backends/index.ts';
// Register the training BatchNorm and Conv2D under the stock class names before the replica is built from JSON.
import { isFusedBatchNorm } from '../layers/batch-norm.ts';
import { isTrainingConv2D } from '../layers/conv2d.ts';
import { lossFor } from '../training/loss.ts';
import { outcomeTensors } from '../training/metrics.ts';
import { computeGradients, trainableVariables } from '../training/step.ts';
import type {
  EvalRequest,
  EvalResult,
  ModelMessage,
  ShardRequest,
  ShardResult,
  WorkerMessage,
  WorkerRequest,
} from './protocol.ts';

const port = parentPort!;

// TF.js and the wasm backend load while the coordinator is still reading the data; the replica is built when its
// topology arrives. Requests come only after 'ready', which is posted once the request handler is listening.
const backendReady = initBackend('wasm');
backendReady.catch(() => {}); // awaited below; this only keeps an early failure from crashing before then
const init = await new Promise<ModelMessage>((resolve) => port.once('message', (m: ModelMessage) => resolve(m)));
const info = await backendReady;
const model = await tfl.models.modelFromJSON({
  modelTopology: JSON.parse(init.topology) as tf.io.ModelJSON['modelTopology'],
});
const loss = lossFor(init.head, init.labelSmoothing);
const vars = trainableVariables(model);

const classes = (model.outputs[0]!.shape[1] as number) === 1 ? 2 : (model.outputs[0]!.shape[1] as number);

function setWeights(values: Float32Array[]): void {
  const weights = values.map((w, i) => tf.tensor(w, model.weights[i]!.shape as number[]));
  model.setWeights(weights);
  tf.dispose(weights);
}

function computeShard(req: ShardRequest): ShardResult {
  setWeights(req.weights);
  const g = computeGradients(model, vars, loss, req);
  const result: ShardResult = {
    kind: 'shard',
    id: req.id,
    loss: g.loss.dataSync()[0]!,
    correct: g.correct.dataSync()[0]!,
    grads: vars.map((v) => g.grads[v.name]!.dataSync() as Float32Array),
    state: model.nonTrainableWeights.map((nw) => nw.read().dataSync() as Float32Array),
  };
  g.dispose();
  return result;
}

function evaluateShard(req: EvalRequest): EvalResult {
  if (req.weights) setWeights(req.weights);
  const tensors = outcomeTensors(model, req, init.head, classes);
  const [lossSum, predicted, top5] = tensors.map((t) => t.dataSync());
  tf.dispose(tensors);
  return {
    kind: 'eval',
    id: req.id,
    lossSum: lossSum![0]!,
    predicted: Int32Array.from(predicted!),
    top5: top5 ? Int32Array.from(top5) : null,
  };
}

port.on('message', (req: WorkerRequest) => {
  try {
    if (req.kind === 'eval') {
      const result = evaluateShard(req);
      const transfer = [result.predicted.buffer, ...(result.top5 ? [result.top5.buffer] : [])] as ArrayBuffer[];
      port.postMessage(result satisfies WorkerMessage, transfer);
      return;
    }
    const result = computeShard(req);
    const transfer = [...result.grads, ...result.state].map((a) => a.buffer as ArrayBuffer);
    port.postMessage(result satisfies WorkerMessage, transfer);
  } catch (err) {
    port.postMessage({
      kind: 'error',
      id: req.id,
      message: err instanceof Error ? err.message : String(err),
    } satisfies WorkerMessage);
  }
});
port.postMessage({
  kind: 'ready',
  backend: info.tfBackend,
  weightCount: model.weights.length,
  fusedBatchNormLayers: model.layers.filter(isFusedBatchNorm).length,
  trainingConv2DLayers: model.layers.filter(isTrainingConv2D).length,
} satisfies WorkerMessage);
