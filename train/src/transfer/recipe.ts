// The fine-tuning recipe as per-weight learning-rate factors. A frozen weight gets factor 0 (no update, no
// decay) until the unfreeze epoch; after it, backbone weights train at `backboneLr` × the schedule's rate and
// the new head at the full rate. BatchNorm can be frozen on its own: its layers then run in inference mode
// (moving statistics, not the batch's) and neither their statistics nor γ/β change — Keras' fine-tuning rule.
import type * as tfl from '@tensorflow/tfjs-layers';
import { HEAD_LAYER } from './apply.ts';
import { TransferError } from './errors.ts';

/** none | stem | stages:N (stem + the first N stages) | backbone (everything but the head). */
export type FreezeSpec = { kind: 'none' } | { kind: 'stem' } | { kind: 'stages'; count: number } | { kind: 'backbone' };

export interface FineTuneRecipe {
  freeze: FreezeSpec;
  /** 1-based epoch from which frozen weights train too; 0 = stay frozen. */
  unfreezeAt: number;
  /** Learning-rate factor of every non-head weight (once unfrozen). */
  backboneLr: number;
  batchNorm: 'frozen' | 'train';
}

export function parseFreeze(raw: string): FreezeSpec {
  if (raw === 'none' || raw === 'stem' || raw === 'backbone') return { kind: raw };
  const m = /^stages:(\d+)$/.exec(raw);
  if (m && Number(m[1]) >= 1) return { kind: 'stages', count: Number(m[1]) };
  throw new TransferError('bad_freeze', `--freeze must be none, stem, stages:N (N ≥ 1) or backbone; got '${raw}'`);
}

export const freezeLabel = (f: FreezeSpec) => (f.kind === 'stages' ? `stages:${f.count}` : f.kind);

const layerOf = (weight: string) => weight.split('/')[0]!;
const isStem = (layer: string) => layer.startsWith('conv1_') || layer.startsWith('pool1_');

function frozenBy(f: FreezeSpec, layer: string): boolean {
  switch (f.kind) {
    case 'none':
      return false;
    case 'backbone':
      return layer !== HEAD_LAYER;
    case 'stem':
      return isStem(layer);
    case 'stages': {
      const m = /^conv(\d+)_block/.exec(layer);
      return isStem(layer) || (m !== null && Number(m[1]) - 1 <= f.count);
    }
  }
}

/** Applies the BatchNorm choice to the model and returns the per-weight factor for each epoch (1-based). */
export function prepareFineTune(model: tfl.LayersModel, r: FineTuneRecipe): (weight: string, epoch: number) => number {
  const layers = model.layers.map((l) => l.name);
  if ((r.freeze.kind === 'stem' || r.freeze.kind === 'stages') && !layers.some(isStem)) {
    throw new TransferError(
      'bad_freeze',
      `--freeze ${freezeLabel(r.freeze)} needs a ResNet-style model (layers conv1_…); use none or backbone`,
    );
  }
  if (r.batchNorm === 'frozen')
    for (const l of model.layers) if (l.getClassName() === 'BatchNormalization') l.trainable = false;
  return (weight, epoch) => {
    const layer = layerOf(weight);
    const unfrozen = r.unfreezeAt > 0 && epoch >= r.unfreezeAt;
    if (frozenBy(r.freeze, layer) && !unfrozen) return 0;
    return layer === HEAD_LAYER ? 1 : r.backboneLr;
  };
}
