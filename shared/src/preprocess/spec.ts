// The preprocessing recipe as data. It is stored in every model manifest so the trainer and the worker
// run the same recipe from the same numbers; nothing about preprocessing is hard-coded elsewhere.
import { z } from 'zod';
import { DEFAULT_MAX_PIXELS } from '../image/limits.ts';
import { specProblems } from './check-spec.ts';

export const normalizeSchema = z.discriminatedUnion('kind', [
  // x = (pixel / 255 - mean[c]) / std[c]   (torchvision / Keras "torch" mode)
  z.object({
    kind: z.literal('mean_std'),
    mean: z.array(z.number()).min(1),
    std: z.array(z.number().positive()).min(1),
  }),
  // x = pixel * scale + offset              (e.g. [-1, 1]: scale 2/255, offset -1, as seed 003 does)
  z.object({ kind: z.literal('scale'), scale: z.number(), offset: z.number() }),
]);

export const preprocessSpecSchema = z
  .object({
    /** Channels the model sees: 'rgb' = 3, 'grayscale' = 1. */
    colorMode: z.enum(['rgb', 'grayscale']),
    /** Resize so the shorter side equals this many pixels (aspect kept), before the centre crop. */
    resizeShorter: z.number().int().positive(),
    resizeAlgorithm: z.literal('bilinear'),
    /** Centre crop to exactly this size; the model's input height and width. */
    crop: z.object({ height: z.number().int().positive(), width: z.number().int().positive() }),
    normalize: normalizeSchema,
    /** Images whose header claims more pixels are refused before decoding. */
    maxPixels: z.number().int().positive().default(DEFAULT_MAX_PIXELS),
    /**
     * JPEG decode scale (preprocess/decode-scale.ts): 'dct' decodes at the largest 1/2, 1/4 or 1/8 that keeps
     * the shorter side ≥ resizeShorter; 'full' always at full size. Absent (manifests written before the field
     * existed, specs built in code) means 'dct': see jpegScaleRuleOf.
     */
    jpegScale: z.enum(['dct', 'full']).optional(),
  })
  .superRefine((spec, ctx) => {
    for (const problem of specProblems(spec))
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  });

export type PreprocessSpec = z.infer<typeof preprocessSpecSchema>;
export type Normalize = z.infer<typeof normalizeSchema>;

export function jpegScaleRuleOf(spec: Pick<PreprocessSpec, 'jpegScale'>): 'dct' | 'full' {
  return spec.jpegScale ?? 'dct';
}

export function channelsOf(spec: PreprocessSpec): 1 | 3 {
  return spec.colorMode === 'rgb' ? 3 : 1;
}

/** NHWC shape of one preprocessed image. */
export function inputShapeOf(spec: PreprocessSpec): [1, number, number, 1 | 3] {
  return [1, spec.crop.height, spec.crop.width, channelsOf(spec)];
}
