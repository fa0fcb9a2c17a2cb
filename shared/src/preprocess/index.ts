// The one preprocessing pipeline, shared by the trainer (Node) and the worker (workerd):
// bytes → decode (format sniffed, EXIF orientation applied) → channels → bilinear resize of the shorter side
// → centre crop → normalise → Float32Array in NHWC. Every number comes from the PreprocessSpec.
import { decodeImage } from '../image/decode.ts';
import type { RawImage } from '../image/types.ts';
import { assertSpecConsistent } from './check-spec.ts';
import { grayToRgb, rgbToGray } from './color.ts';
import { centerCrop } from './crop.ts';
import { normalizeToFloat } from './normalize.ts';
import { resizeShorterSide } from './resize.ts';
import { channelsOf, inputShapeOf, type PreprocessSpec } from './spec.ts';

export interface PreprocessResult {
  tensor: Float32Array;
  shape: [1, number, number, 1 | 3];
  timing: { decodeMs: number; preprocessMs: number };
}

/** A decoded image → the model's input tensor (NHWC without the batch dimension's copy: length H·W·C). */
export function preprocessImage(image: RawImage, spec: PreprocessSpec): Float32Array {
  assertSpecConsistent(spec);
  const channels = channelsOf(spec);
  // Collapsing to gray first and expanding to RGB last gives the same bytes either way and touches fewer samples.
  let current = channels === 1 ? rgbToGray(image) : image;
  current = resizeShorterSide(current, spec.resizeShorter);
  current = centerCrop(current, spec.crop.width, spec.crop.height);
  if (channels === 3) current = grayToRgb(current);
  return normalizeToFloat(current, spec.normalize);
}

export function preprocess(bytes: Uint8Array, spec: PreprocessSpec): PreprocessResult {
  const started = performance.now();
  const image = decodeImage(bytes, { maxPixels: spec.maxPixels });
  const decoded = performance.now();
  const tensor = preprocessImage(image, spec);
  const finished = performance.now();
  return {
    tensor,
    shape: inputShapeOf(spec),
    timing: { decodeMs: decoded - started, preprocessMs: finished - decoded },
  };
}

export { PreprocessSpecError } from './check-spec.ts';
