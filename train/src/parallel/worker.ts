// One gradient worker: a model replica on the patched wasm backend. It receives the current weights and a
// shard of the batch, and returns the shard's loss and gradients; it never updates weights itself.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../backends/index.ts';
// Register the training BatchNorm and Conv2D under the stock class names before the replica is built from JSON.
import { isFusedBatchNorm } from '../layers/batch-norm.ts';
import { isTrainingConv2D } from '../layers/conv2d.ts';
import { lossFor } from '../training/loss.ts';
import { computeGradients, trainableVariables } from '../training/step.ts';
import type { ShardRequest, ShardResult, WorkerInit, WorkerMessage } from './protocol.ts';

const port = parentPort!;
const init = workerData as WorkerInit;

const info = await initBackend('wasm');
const model = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(init.topology) as tf.io.ModelJSON['modelTopology'] });
const loss = lossFor(init.head, init.labelSmoothing);
const vars = trainableVariables(model);

function computeShard(req: ShardRequest): ShardResult {
  const weights = req.weights.map((w, i) => tf.tensor(w, model.weights[i]!.shape as number[]));
  model.setWeights(weights);
  tf.dispose(weights);
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

port.on('message', (req: ShardRequest) => {
  try {
    const result = computeShard(req);
    const transfer = [...result.grads, ...result.state].map((a) => a.buffer as ArrayBuffer);
    port.postMessage(result satisfies WorkerMessage, transfer);
  } catch (err) {
    port.postMessage({ kind: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage);
  }
});
port.postMessage({
  kind: 'ready',
  backend: info.tfBackend,
  weightCount: model.weights.length,
  fusedBatchNormLayers: model.layers.filter(isFusedBatchNorm).length,
  trainingConv2DLayers: model.layers.filter(isTrainingConv2D).length,
} satisfies WorkerMessage);
