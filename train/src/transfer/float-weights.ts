// A version's float weights: one safetensors file in our weight names, with what a later run needs to start
// from it on its own (architecture, padding, labels, head, preprocessing) in the file's string metadata.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { HeadKind } from '../models/head.ts';
import type { PaddingStyle } from '../models/layers.ts';
import { stateDictOf } from './apply.ts';
import { writeSafetensors } from './safetensors.ts';
import { WEIGHTS_FORMAT_TAG } from './source.ts';

/** What the file records of the run beside the tensors (a run.json's fields; transfer/ sits below run/). */
export interface FloatWeightsInfo {
  arch: string;
  padding?: PaddingStyle | undefined;
  head: HeadKind;
  labels: readonly string[];
  preprocess: unknown;
  inputShape: readonly number[];
}

export function floatWeightsFile(model: tfl.LayersModel, info: FloatWeightsInfo): Uint8Array {
  return writeSafetensors(stateDictOf(model), {
    format: WEIGHTS_FORMAT_TAG,
    arch: info.arch,
    padding: info.padding ?? 'same',
    head: info.head,
    labels: JSON.stringify(info.labels),
    preprocess: JSON.stringify(info.preprocess),
    inputShape: JSON.stringify(info.inputShape),
  });
}
