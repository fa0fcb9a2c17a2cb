// `train --init`: the part of a run that starts from pretrained weights. Everything here happens before the
// run folder is written, so a source that fails to load or to fit leaves nothing behind.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { channelsOf } from '@resnet-edge/shared/preprocess/spec';
import type { ObjectStore } from '@resnet-edge/registry/store';
import { applyStateDict, type HeadChoice } from './apply.ts';
import { TransferError } from './errors.ts';
import { freezeLabel, type FineTuneRecipe } from './recipe.ts';
import { isPublishedRef, loadPublished } from './published.ts';
import { loadInit, type InitWeights, type SourceIO } from './source.ts';

export interface InitRequest {
  /** PATH or URL (source.ts). */
  source: string;
  /** 'auto': keep the file's head when it was trained on the same labels, else a new head. */
  head: 'auto' | HeadChoice;
  recipe: FineTuneRecipe;
  /** The open model store that `model:NAME[@VERSION]` sources are read from (the caller closes it). */
  store?: ObjectStore;
}

/** What run.json records about the start. */
export interface InitRecord {
  source: string;
  format: string;
  head: HeadChoice;
  freeze: string;
  unfreezeAt: number;
  backboneLr: number;
  batchNorm: 'frozen' | 'train';
  loadedTensors: number;
  /** Published versions: the verified sha256 of the weights file. */
  sha256?: string;
}

export async function loadInitFor(arch: string, req: InitRequest, io: SourceIO): Promise<InitWeights> {
  const init = isPublishedRef(req.source)
    ? await loadPublished(req.source, req.store, (m) => io.log(m))
    : await loadInit(req.source, io);
  if (init.arch && init.arch !== arch) {
    throw new TransferError(
      'weights_mismatch',
      `${init.source} holds ${init.arch} weights but --arch is ${arch}; pass --arch ${init.arch}`,
    );
  }
  return init;
}

/** The spec a run uses: the flags' own, else the source's whole spec (our runs), else the default with the source's normalisation. */
export function initPreprocess(init: InitWeights, fallback: PreprocessSpec): PreprocessSpec {
  if (init.preprocess) return init.preprocess;
  if (init.normalize?.kind === 'mean_std' && init.normalize.mean.length === channelsOf(fallback))
    return { ...fallback, normalize: init.normalize };
  return fallback;
}

export function applyInit(
  model: tfl.LayersModel,
  init: InitWeights,
  req: InitRequest,
  labels: string[],
  log: (m: string) => void,
): InitRecord {
  const sameLabels = init.labels !== undefined && init.labels.join('\u0000') === labels.join('\u0000');
  const head: HeadChoice = req.head === 'auto' ? (sameLabels ? 'keep' : 'replace') : req.head;
  const r = applyStateDict(model, init.weights, {
    head,
    source: init.source,
    ...(init.origin ? { origin: init.origin } : {}),
  });
  log(
    `init: ${r.loaded} tensors from ${init.source} (${init.format}); head ${head === 'keep' ? 'kept' : `replaced (${labels.length} new labels)`}`,
  );
  const { freeze, unfreezeAt, backboneLr, batchNorm } = req.recipe;
  return {
    source: init.source,
    format: init.format,
    head,
    freeze: freezeLabel(freeze),
    unfreezeAt,
    backboneLr,
    batchNorm,
    loadedTensors: r.loaded,
    ...(init.sha256 ? { sha256: init.sha256 } : {}),
  };
}
