// Puts a state dict (already in our names and layouts) into a built model, by name. Everything is checked
// before the first weight is written, so a file that does not fit leaves the model as it was; the error names
// the first tensor, in the file's order and under the file's own name, whose name or shape does not fit.
import type * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { TransferError } from './errors.ts';
import { padKernel, type HostTensor, type StateDict } from './tensors.ts';

export const HEAD_LAYER = 'predictions';

export type HeadChoice = 'keep' | 'replace';

export interface ApplyOptions {
  /** 'replace': the model keeps its freshly initialised head (new labels); 'keep': the file's head is loaded too. */
  head: HeadChoice;
  /** Where the weights came from, for messages. */
  source: string;
  /** Our name → the file's name, when they differ. */
  origin?: Map<string, string>;
}

export interface ApplyResult {
  loaded: number;
  /** Tensors of the model left as initialised (the head when replaced). */
  kept: string[];
}

const isHead = (name: string) => name.startsWith(`${HEAD_LAYER}/`);

export function applyStateDict(model: tfl.LayersModel, dict: StateDict, opts: ApplyOptions): ApplyResult {
  const fileName = (ours: string) => opts.origin?.get(ours) ?? ours;
  const targets = new Map(model.weights.map((w) => [w.originalName, w]));
  const plan: [tfl.LayerVariable, HostTensor][] = [];
  const kept: string[] = [];
  for (const [name, t] of dict) {
    if (isHead(name) && opts.head === 'replace') continue;
    const target = targets.get(name);
    if (!target) {
      throw new TransferError(
        'weights_mismatch',
        `${opts.source}: tensor '${fileName(name)}' has no place in this model (no weight '${name}'): the file is for another architecture`,
      );
    }
    const want = target.shape as number[];
    const fitted = fit(t, want);
    if (!fitted) {
      const detail = `'${fileName(name)}' is [${t.shape.join(', ')}] where the model's '${name}' is [${want.join(', ')}]`;
      if (isHead(name)) {
        throw new TransferError(
          'head_mismatch',
          `${opts.source}: the head does not fit: ${detail}; train new labels with --init-head replace`,
        );
      }
      throw new TransferError(
        'weights_mismatch',
        `${opts.source}: ${detail}: the file is for another architecture, input channel count or width`,
      );
    }
    plan.push([target, fitted]);
  }
  const planned = new Set(plan.map(([v]) => v.originalName));
  for (const name of targets.keys()) {
    if (planned.has(name)) continue;
    if (isHead(name) && opts.head === 'replace') {
      kept.push(name);
      continue;
    }
    throw new TransferError(
      'weights_mismatch',
      `${opts.source} has no tensor for the model's '${name}': the file is for another architecture`,
    );
  }
  for (const [v, t] of plan) {
    const value = tf.tensor(t.data, t.shape);
    v.write(value);
    value.dispose();
  }
  return { loaded: plan.length, kept };
}

/** Exactly the shape, or a k×k kernel into the (k+1)×(k+1) kernel of a 'torchvision'-padded strided conv. */
function fit(t: HostTensor, want: number[]): HostTensor | null {
  if (t.shape.length === want.length && t.shape.every((d, i) => d === want[i])) return t;
  const [h, w, ci, co] = t.shape;
  if (
    want.length === 4 &&
    t.shape.length === 4 &&
    want[0] === h! + 1 &&
    want[1] === w! + 1 &&
    want[2] === ci &&
    want[3] === co
  )
    return padKernel(t, want[0]!, want[1]!);
  return null;
}

/** The model's weights as a state dict in our names (what publish stores beside the int8 model). */
export function stateDictOf(model: tfl.LayersModel): StateDict {
  const out: StateDict = new Map();
  for (const w of model.weights)
    out.set(w.originalName, { shape: w.shape as number[], data: w.read().dataSync() as Float32Array });
  return out;
}
