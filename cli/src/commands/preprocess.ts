// `resnet-edge preprocess IMAGE --spec SPEC.json`: runs the shared preprocessing (the same code the worker
// runs) on one file and describes the tensor, so a user can check a recipe or compare two machines by hash.
import { readFile } from 'node:fs/promises';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { decodeImage, readImageHeader } from '@resnet-edge/shared/image/decode';
import { ImageError } from '@resnet-edge/shared/image/errors';
import type { ImageFormat } from '@resnet-edge/shared/image/types';
import { preprocessImage } from '@resnet-edge/shared/preprocess/index';
import { inputShapeOf, preprocessSpecSchema, type PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { CommandError, defineCommand, UsageError } from '../command.ts';
import { intOpt, positional, requiredString } from '../options.ts';

export interface PreprocessReport {
  file: string;
  format: ImageFormat;
  decoded: { width: number; height: number; channels: 1 | 3 };
  shape: [1, number, number, 1 | 3];
  min: number;
  max: number;
  mean: number;
  sha256: string;
  timing: { decodeMs: number; preprocessMs: number };
}

async function readSpec(path: string, maxPixels: number | undefined): Promise<PreprocessSpec> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--spec ${path}: cannot read it as JSON (${(error as Error).message})`);
  }
  const parsed = preprocessSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UsageError(`--spec ${path} is not a valid preprocess spec: ${issues}`);
  }
  return maxPixels === undefined ? parsed.data : { ...parsed.data, maxPixels };
}

function stats(tensor: Float32Array): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of tensor) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / tensor.length };
}

export const preprocessCommand = defineCommand<PreprocessReport>({
  usage: 'preprocess IMAGE --spec SPEC.json [--max-pixels N]',
  details: `Decodes IMAGE (JPEG, PNG or WebP, sniffed from its bytes; EXIF orientation applied), then converts channels,
resizes, centre-crops and normalises it exactly as the spec says: the same code the trainer and the worker run.
Prints the tensor's NHWC shape, min/max/mean and the sha256 of its float32 bytes (little-endian).
Examples of specs: docs/examples/fashion-mnist.spec.json, docs/examples/imagenet.spec.json.
A bad image exits 1 with its code: empty_image, unsupported_format, corrupt_image or too_many_pixels.`,
  options: {
    spec: {
      type: 'string',
      valueName: 'SPEC.json',
      description: 'preprocess spec (the `preprocess` field of a model manifest)',
    },
    'max-pixels': {
      type: 'string',
      valueName: 'N',
      description: "refuse images whose header claims more pixels (default: the spec's maxPixels, 50 000 000)",
    },
  },
  positionals: [{ name: 'IMAGE', description: 'a JPEG, PNG or WebP file', required: true }],
  async run(args, io) {
    const file = positional(args, 0, 'IMAGE');
    const maxPixelsFlag =
      args.values['max-pixels'] === undefined ? undefined : intOpt(args, 'max-pixels', 0, { min: 1 });
    const spec = await readSpec(requiredString(args, 'spec'), maxPixelsFlag);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (error) {
      throw new UsageError(
        `cannot read IMAGE ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    try {
      // The same stages as preprocess(bytes, spec), split here to report the decoded size as well.
      const { format } = readImageHeader(bytes);
      const started = performance.now();
      const image = decodeImage(bytes, { maxPixels: spec.maxPixels });
      const decoded = performance.now();
      const tensor = preprocessImage(image, spec);
      const timing = { decodeMs: decoded - started, preprocessMs: performance.now() - decoded };
      const shape = inputShapeOf(spec);
      io.log(`${file}: ${format} ${image.width}×${image.height}×${image.channels} → ${shape.join('×')}`);
      return {
        file,
        format,
        decoded: { width: image.width, height: image.height, channels: image.channels },
        shape,
        ...stats(tensor),
        sha256: await sha256Hex(new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength)),
        timing,
      };
    } catch (error) {
      if (error instanceof ImageError) throw new CommandError(error.code, `${file}: ${error.message}`);
      throw error;
    }
  },
  render: (r) =>
    [
      `${r.file}: ${r.format} ${r.decoded.width}×${r.decoded.height}×${r.decoded.channels}`,
      `tensor ${r.shape.join('×')}  min ${r.min.toFixed(4)}  max ${r.max.toFixed(4)}  mean ${r.mean.toFixed(4)}`,
      `sha256 ${r.sha256}`,
      `decode ${r.timing.decodeMs.toFixed(1)} ms, preprocess ${r.timing.preprocessMs.toFixed(1)} ms`,
    ].join('\n'),
});

export default preprocessCommand;
