// Writes a quantized model version: `model.tflite` + `manifest.json` (validated by the shared schema the
// registry and the worker read). The folder appears complete or not at all (written aside, then renamed).
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { manifestSchema, type Manifest } from '@resnet-edge/shared/registry/manifest';
import {
  assertModelName,
  assertVersion,
  FLOAT_WEIGHTS_FILE,
  MANIFEST_FILE,
  MODEL_FILE,
} from '@resnet-edge/shared/registry/layout';
import { replaceDirAtomic } from '../io/atomic.ts';
import type { RunInfo } from '../run/run-folder.ts';
import type { CalibrationOptions } from './calibrate.ts';
import { QuantizeError } from './errors.ts';

export interface ExportRequest {
  outDir: string;
  name: string;
  version: string;
  info: RunInfo;
  tflite: Uint8Array;
  accuracy: Manifest['accuracy'];
  calibration: CalibrationOptions & { samples: number };
  /** safetensors bytes of the float model, listed in the manifest like every file of the version. */
  floatWeights?: Uint8Array;
}

function gitCommit(): string | undefined {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}

export async function buildManifest(req: ExportRequest): Promise<Manifest> {
  const { info } = req;
  const [h, w, c] = info.inputShape;
  const commit = gitCommit();
  try {
    return manifestSchema.parse({
      schemaVersion: 1,
      name: assertModelName(req.name),
      version: assertVersion(req.version),
      arch: info.arch,
      labels: info.labels,
      preprocess: info.preprocess,
      inputShape: [1, h, w, c],
      outputActivation: info.head,
      accuracy: req.accuracy,
      calibration: {
        method: req.calibration.method,
        samples: req.calibration.samples,
        ...(req.calibration.method === 'percentile' ? { percentile: req.calibration.percentile } : {}),
      },
      files: {
        [MODEL_FILE]: { sha256: await sha256Hex(req.tflite), size: req.tflite.byteLength },
        ...(req.floatWeights
          ? { [FLOAT_WEIGHTS_FILE]: { sha256: await sha256Hex(req.floatWeights), size: req.floatWeights.byteLength } }
          : {}),
      },
      training: { dataFingerprint: info.dataFingerprint, backend: info.backend, epochs: info.epochs },
      createdAt: new Date().toISOString(),
      ...(commit ? { gitCommit: commit } : {}),
    });
  } catch (err) {
    throw new QuantizeError('export_failed', `the manifest would be invalid: ${(err as Error).message}`);
  }
}

/** Writes `outDir/model.tflite` and `outDir/manifest.json`, replacing `outDir` atomically. */
export async function exportQuantized(req: ExportRequest): Promise<Manifest> {
  const manifest = await buildManifest(req);
  await replaceDirAtomic(
    req.outDir,
    async (tmp) => {
      await writeFile(join(tmp, MODEL_FILE), req.tflite);
      if (req.floatWeights) await writeFile(join(tmp, FLOAT_WEIGHTS_FILE), req.floatWeights);
      await writeFile(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    },
    'export_failed',
  );
  return manifest;
}
