// The per-epoch checkpoint: model weights (with BatchNorm moving statistics), optimizer slots, the
// epoch and global step, the RNG state and the metrics so far — everything --resume needs to
// continue exactly where the run stopped. Written as one directory, replaced atomically, so a crash
// or a full disk leaves the previous checkpoint intact and never a half-written one.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { recoverDir, replaceDirAtomic } from '../io/atomic.ts';
import { TrainError } from '../errors.ts';
import { loadModel, writeModelFiles } from '../io/model-io.ts';
import type { Optimizer } from './optimizer.ts';
import type { RngState } from './rng.ts';

export const OPTIMIZER_BIN = 'optimizer.bin';
export const STATE_JSON = 'state.json';

export interface CheckpointState<H = unknown> {
  /** Epochs completed. */
  epoch: number;
  /** Global step (batches done), which drives the learning-rate schedule. */
  step: number;
  rng: RngState;
  arch: string;
  labels: string[];
  /** Best validation result so far and the epochs since it improved (early stopping). */
  best: { epoch: number; top1: number; loss: number } | null;
  sinceBest: number;
  history: H[];
}

interface StateFile<H> extends CheckpointState<H> {
  version: 1;
  optimizer: { kind: string; iterations: number; slots: { name: string; shape: number[]; offset: number }[] };
}

export async function saveCheckpoint<H>(
  dir: string,
  model: tfl.LayersModel,
  optimizer: Optimizer,
  state: CheckpointState<H>,
): Promise<void> {
  const slots = optimizer.getState();
  const values = await Promise.all(slots.map((s) => s.tensor.data() as Promise<Float32Array>));
  const total = values.reduce((a, v) => a + v.length, 0);
  const bin = new Float32Array(total);
  let offset = 0;
  const manifest = slots.map((s, i) => {
    bin.set(values[i]!, offset);
    const entry = { name: s.name, shape: s.tensor.shape, offset };
    offset += values[i]!.length;
    return entry;
  });
  const file: StateFile<H> = {
    version: 1,
    ...state,
    optimizer: { kind: optimizer.config.kind, iterations: optimizer.iterations, slots: manifest },
  };
  await replaceDirAtomic(
    dir,
    async (tmp) => {
      await writeModelFiles(model, tmp);
      await writeFile(join(tmp, OPTIMIZER_BIN), new Uint8Array(bin.buffer));
      await writeFile(join(tmp, STATE_JSON), JSON.stringify(file));
    },
    'checkpoint_failed',
  );
}

/** Restores weights into `model` and slots into `optimizer`; returns the saved state. */
export async function loadCheckpoint<H>(
  dir: string,
  model: tfl.LayersModel,
  optimizer: Optimizer,
): Promise<CheckpointState<H>> {
  let file: StateFile<H>;
  try {
    file = JSON.parse(await readFile(join(dir, STATE_JSON), 'utf8'));
  } catch {
    throw new TrainError('checkpoint_not_found', `no checkpoint to resume from at '${dir}'`);
  }
  if (file.optimizer.kind !== optimizer.config.kind) {
    throw new TrainError(
      'checkpoint_mismatch',
      `the checkpoint was trained with --optimizer ${file.optimizer.kind}, not ${optimizer.config.kind}`,
    );
  }
  const saved = await loadModel(dir);
  const savedWeights = saved.getWeights();
  const current = model.weights;
  if (
    savedWeights.length !== current.length ||
    savedWeights.some((w, i) => w.shape.join() !== current[i]!.shape.join())
  ) {
    saved.dispose();
    throw new TrainError(
      'checkpoint_mismatch',
      `the checkpoint at '${dir}' holds a different architecture than ${file.arch}`,
    );
  }
  model.setWeights(savedWeights);
  saved.dispose();
  const raw = await readFile(join(dir, OPTIMIZER_BIN));
  const bin = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const slots = file.optimizer.slots.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    return { name: s.name, tensor: tf.tensor(bin.subarray(s.offset, s.offset + size), s.shape) };
  });
  optimizer.setState(file.optimizer.iterations, slots);
  tf.dispose(slots.map((s) => s.tensor));
  const { version: _v, optimizer: _o, ...state } = file;
  return state;
}

export async function readCheckpointState(dir: string): Promise<CheckpointState | null> {
  await recoverDir(dir);
  try {
    return JSON.parse(await readFile(join(dir, STATE_JSON), 'utf8'));
  } catch {
    return null;
  }
}
