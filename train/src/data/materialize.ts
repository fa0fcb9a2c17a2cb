// Turns a Dataset into training tensors through the SHARED preprocessing, the very code the worker runs,
// so a model never sees pixels prepared differently from the ones it will be served.
// Images that cannot be read or decoded are skipped and reported, never a crash.
import { isImageError } from '@resnet-edge/shared/image/errors';
import { preprocess, preprocessImage } from '@resnet-edge/shared/preprocess/index';
import { channelsOf, type PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import type { Dataset, Sample, SkippedReport } from './dataset.ts';
import { emptySkipped, recordSkip } from './skipped.ts';

export interface Materialized {
  /** NHWC, `count` images of `shape`. */
  x: Float32Array;
  /** Label index per image (Dataset.labels order). */
  y: Int32Array;
  count: number;
  /** [height, width, channels] of one image. */
  shape: [number, number, number];
  /** The dataset's own skipped report plus the images that failed here. */
  skipped: SkippedReport;
  /** Ids of the images in x, in order (the dataset's order minus the skipped). */
  ids: string[];
}

/** Files read at once: enough to overlap disk and decoding, few enough to keep memory flat. */
const READ_AHEAD = 16;

export async function materialize(
  ds: Dataset,
  spec: PreprocessSpec,
  opts: { onProgress?(done: number, total: number): void } = {},
): Promise<Materialized> {
  const shape: [number, number, number] = [spec.crop.height, spec.crop.width, channelsOf(spec)];
  const perImage = shape[0] * shape[1] * shape[2];
  const total = ds.samples.length;
  const x = new Float32Array(total * perImage);
  const y = new Int32Array(total);
  const ids: string[] = [];
  const skipped: SkippedReport = { ...emptySkipped(), count: ds.skipped.count, examples: [...ds.skipped.examples] };

  let count = 0;
  for (let start = 0; start < total; start += READ_AHEAD) {
    const chunk = ds.samples.slice(start, start + READ_AHEAD);
    const tensors = await Promise.all(chunk.map((s) => tensorOf(s, spec)));
    for (const [i, result] of tensors.entries()) {
      const sample = chunk[i]!;
      if (typeof result === 'string') {
        recordSkip(skipped, sample.id, result);
        continue;
      }
      if (result.length !== perImage) {
        recordSkip(skipped, sample.id, `preprocessing gave ${result.length} values, expected ${perImage}`);
        continue;
      }
      x.set(result, count * perImage);
      y[count] = sample.label;
      ids.push(sample.id);
      count++;
    }
    opts.onProgress?.(Math.min(start + READ_AHEAD, total), total);
  }
  return {
    x: count === total ? x : x.slice(0, count * perImage),
    y: count === total ? y : y.slice(0, count),
    count,
    shape,
    skipped,
    ids,
  };
}

/** The preprocessed tensor, or the reason the sample is skipped. */
async function tensorOf(sample: Sample, spec: PreprocessSpec): Promise<Float32Array | string> {
  let bytes: Uint8Array;
  if (sample.source.kind === 'raw') {
    try {
      return preprocessImage(sample.source.image, spec);
    } catch (e) {
      return reasonOf(e);
    }
  }
  try {
    bytes = await sample.source.read();
  } catch (e) {
    return `unreadable: ${(e as Error).message}`;
  }
  try {
    return preprocess(bytes, spec).tensor;
  } catch (e) {
    return reasonOf(e);
  }
}

/**
 * A bad image (ImageError: empty, unsupported, corrupt, too many pixels) becomes a skip reason with its stable
 * code. Anything else, such as an inconsistent spec, would fail every image alike: it propagates instead of
 * quietly skipping the whole dataset.
 */
function reasonOf(e: unknown): string {
  if (isImageError(e)) return `${e.code}: ${e.message}`;
  throw e;
}
