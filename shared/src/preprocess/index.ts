// The one preprocessing pipeline, shared by the trainer (Node) and the worker (workerd):
// bytes → header (format sniffed, pixel limit) → decode at the size the spec needs (JPEG: DCT-scaled by the
// spec's rule, EXIF orientation applied; PNG and WebP: streamed row by row, lossless WebP from its whole ARGB
// picture) → channels → bilinear resize of the shorter side fused with the centre crop → normalise →
// Float32Array in NHWC. Every number comes from the PreprocessSpec; every buffer is charged to one MemoryBudget
// per image.
import { MemoryBudget } from '../image/budget.ts';
import { checkPixels } from '../image/decode.ts';
import { decodeJpegScaled } from '../image/jpeg/decode.ts';
import { readImageHeader } from '../image/header.ts';
import { checkPngDataLimit } from '../image/png/data-limit.ts';
import { decodePngRows } from '../image/png/decode.ts';
import type { RawImage } from '../image/types.ts';
import { decodeWebpRows } from '../image/webp/decode.ts';
import { assertSpecConsistent } from './check-spec.ts';
import { grayRow } from './color.ts';
import { jpegScaleFor } from './decode-scale.ts';
import { normalizationTable } from './normalize.ts';
import { ResizeCropSink } from './resize-crop.ts';
import { channelsOf, inputShapeOf, jpegScaleRuleOf, type PreprocessSpec } from './spec.ts';

export interface PreprocessResult {
  tensor: Float32Array;
  shape: [1, number, number, 1 | 3];
  /** decodeMs includes the fused resize for PNG (its rows go straight into it); preprocessMs the rest. */
  timing: { decodeMs: number; preprocessMs: number };
  /** Largest number of bytes this image's buffers held at once (what the memory budget enforced). */
  peakBytes: number;
}

export interface PreprocessOptions {
  budget?: MemoryBudget;
  /** Refuse a PNG whose inflated image data is more than this many bytes (`png_too_large`); default: no limit. */
  maxPngBytes?: number;
}

/** Rows of `channels` source samples → the sink, collapsed to gray first when the model is grayscale. */
function rowFeeder(
  sourceChannels: 1 | 3,
  spec: PreprocessSpec,
  width: number,
  sink: ResizeCropSink,
  budget: MemoryBudget,
): (row: Uint8Array) => void {
  if (channelsOf(spec) === 3 || sourceChannels === 1) return (row) => sink.push(row);
  const gray = budget.u8(width, 'gray row');
  return (row) => {
    grayRow(row, width, gray);
    sink.push(gray);
  };
}

function sinkFor(
  width: number,
  height: number,
  sourceChannels: 1 | 3,
  spec: PreprocessSpec,
  budget: MemoryBudget,
): ResizeCropSink {
  // Collapsing to gray first and expanding to RGB last gives the same bytes either way and touches fewer samples.
  const channels = channelsOf(spec) === 1 ? 1 : sourceChannels;
  return new ResizeCropSink(width, height, channels, spec.resizeShorter, spec.crop, budget);
}

/** The cropped image (1 or 3 channels) → normalised floats in the model's channels. */
function toTensor(crop: RawImage, spec: PreprocessSpec, budget: MemoryBudget): Float32Array {
  const channels = channelsOf(spec);
  const table = normalizationTable(spec.normalize, channels);
  const pixels = crop.width * crop.height;
  const out = budget.f32(pixels * channels, 'input tensor');
  const data = crop.data;
  if (crop.channels === channels) {
    for (let i = 0; i < data.length; i++) out[i] = table[(i % channels) * 256 + data[i]!]!;
  } else {
    for (let p = 0, o = 0; p < pixels; p++) for (let k = 0; k < 3; k++) out[o++] = table[k * 256 + data[p]!]!;
  }
  return out;
}

function resizeCropImage(image: RawImage, spec: PreprocessSpec, budget: MemoryBudget): RawImage {
  const sink = sinkFor(image.width, image.height, image.channels, spec, budget);
  const feed = rowFeeder(image.channels, spec, image.width, sink, budget);
  const stride = image.width * image.channels;
  for (let y = 0; y < image.height; y++) feed(image.data.subarray(y * stride, (y + 1) * stride));
  return sink.finish();
}

/** A decoded image → the model's input tensor (NHWC without the batch dimension's copy: length H·W·C). */
export function preprocessImage(
  image: RawImage,
  spec: PreprocessSpec,
  budget = new MemoryBudget(Number.MAX_SAFE_INTEGER),
): Float32Array {
  assertSpecConsistent(spec);
  return toTensor(resizeCropImage(image, spec, budget), spec, budget);
}

export function preprocess(bytes: Uint8Array, spec: PreprocessSpec, opts: PreprocessOptions = {}): PreprocessResult {
  assertSpecConsistent(spec);
  const budget = opts.budget ?? new MemoryBudget();
  const started = performance.now();
  const header = readImageHeader(bytes);
  checkPixels(header, spec.maxPixels);
  let crop: RawImage | null = null;
  let decoded: number;
  switch (header.format) {
    case 'jpeg': {
      const scale = jpegScaleFor(header.width, header.height, spec.resizeShorter, jpegScaleRuleOf(spec));
      const image = decodeJpegScaled(bytes, scale, budget);
      decoded = performance.now();
      crop = resizeCropImage(image, spec, budget);
      budget.free(image.data);
      break;
    }
    case 'png': {
      if (opts.maxPngBytes !== undefined) checkPngDataLimit(bytes, opts.maxPngBytes);
      // Every row is inflated and unfiltered (the next one is filtered against it), but only the rows the
      // resize reads are converted to 8-bit gray/RGB; the sink is made at row 0, when the channels are known.
      let sink: ResizeCropSink | null = null;
      let feed: ((row: Uint8Array) => void) | null = null;
      decodePngRows(
        bytes,
        budget,
        (row, y) => {
          if (!sink) {
            const channels = row.length === header.width ? 1 : 3;
            sink = sinkFor(header.width, header.height, channels, spec, budget);
            feed = rowFeeder(channels, spec, header.width, sink, budget);
          }
          sink.skipTo(y);
          feed!(row);
        },
        (y) => sink === null || (sink as ResizeCropSink).needs(y),
      );
      (sink as ResizeCropSink | null)?.skipTo(header.height);
      crop = sink!.finish();
      decoded = performance.now();
      break;
    }
    case 'webp': {
      // Lossy rows arrive a macroblock row at a time; lossless ones from the whole decoded picture. Only the
      // rows the resize reads are converted to RGB; the sink counts the others as skipped.
      const sink = sinkFor(header.width, header.height, 3, spec, budget);
      const feed = rowFeeder(3, spec, header.width, sink, budget);
      decodeWebpRows(
        bytes,
        budget,
        (row, y) => {
          sink.skipTo(y);
          feed(row);
        },
        (y) => sink.needs(y),
      );
      sink.skipTo(header.height);
      crop = sink.finish();
      decoded = performance.now();
      break;
    }
  }
  const tensor = toTensor(crop, spec, budget);
  const finished = performance.now();
  return {
    tensor,
    shape: inputShapeOf(spec),
    timing: { decodeMs: decoded - started, preprocessMs: finished - decoded },
    peakBytes: budget.peak,
  };
}

export { PreprocessSpecError } from './check-spec.ts';
