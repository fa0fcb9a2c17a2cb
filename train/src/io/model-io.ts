// TF.js layers-format models on disk without tfjs-node (whose file:// handler needs libtensorflow):
// model.json (topology + weights manifest) and one weights.bin, written through an in-memory
// save handler and read back through an in-memory load handler. The files are exactly what
// `tf.loadLayersModel('file://…/model.json')` and the TF.js converter expect.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { replaceDirAtomic } from './atomic.ts';
import { TrainError } from '../errors.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** Writes model.json + weights.bin into `dir` (which must exist). Not atomic on its own. */
export async function writeModelFiles(model: tfl.LayersModel, dir: string): Promise<void> {
  let pending: Promise<void> = Promise.resolve();
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      pending = Promise.all([
        writeFile(join(dir, MODEL_JSON), JSON.stringify(modelJson)),
        writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(weightData)),
      ]).then(() => undefined);
      await pending;
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weightData.byteLength,
        },
      };
    }),
    { includeOptimizer: false },
  );
  await pending;
}

/** Saves a model as `dir/model.json` + `dir/weights.bin`, replacing `dir` atomically. */
export async function saveModel(model: tfl.LayersModel, dir: string, errorCode = 'model_save_failed'): Promise<void> {
  await replaceDirAtomic(dir, (tmp) => writeModelFiles(model, tmp), errorCode);
}

export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  let json: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8'));
  } catch (err) {
    throw new TrainError(
      'model_not_found',
      `cannot read a TF.js model at '${join(dir, MODEL_JSON)}': ${(err as Error).message}`,
    );
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const bytes = await readFile(join(dir, p));
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  const weightData = tf.io.CompositeArrayBuffer.join(buffers);
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
}
