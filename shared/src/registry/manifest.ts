// One typed manifest per published model version, validated by this single schema everywhere it is read:
// the quantizer writes it, the registry verifies files against it, the worker serves from it.
import { z } from 'zod';
import { preprocessSpecSchema } from '../preprocess/spec.ts';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256');

export const fileEntrySchema = z.object({
  sha256: sha256Hex,
  size: z.number().int().nonnegative(),
});

export const accuracySchema = z.object({
  /** Top-1 accuracy in [0, 1] on the held-out set. */
  top1: z.number().min(0).max(1),
  top5: z.number().min(0).max(1).optional(),
  samples: z.number().int().nonnegative(),
});

export const manifestSchema = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  version: z.string(),
  arch: z.string(),
  labels: z.array(z.string().min(1)).min(2),
  preprocess: preprocessSpecSchema,
  /** NHWC, batch 1. */
  inputShape: z.tuple([
    z.literal(1),
    z.number().int().positive(),
    z.number().int().positive(),
    z.union([z.literal(1), z.literal(3)]),
  ]),
  /** 'softmax' scores for multi-class; 'sigmoid' for the two-class BCE head of seed 003. */
  outputActivation: z.enum(['softmax', 'sigmoid']),
  accuracy: z.object({ float: accuracySchema, int8: accuracySchema.optional() }),
  calibration: z
    .object({
      method: z.enum(['minmax', 'percentile']),
      samples: z.number().int().positive(),
      percentile: z.number().optional(),
    })
    .optional(),
  /** Every file of the version except the manifest itself, keyed by file name (e.g. 'model.tflite'). */
  files: z.record(z.string(), fileEntrySchema),
  training: z.object({
    dataFingerprint: z.string(),
    backend: z.string().optional(),
    epochs: z.number().int().nonnegative().optional(),
  }),
  createdAt: z.string().datetime(),
  gitCommit: z.string().optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type FileEntry = z.infer<typeof fileEntrySchema>;

/** The pointer object `models/<name>/current.json`. */
export const pointerSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** sha256 of the manifest bytes, so a reader knows it got the manifest the pointer meant. */
  manifestSha256: sha256Hex,
  previousVersion: z.string().nullable(),
  movedBy: z.string(),
  movedAt: z.string().datetime(),
  reason: z.enum(['publish', 'promote', 'rollback']),
});

export type Pointer = z.infer<typeof pointerSchema>;
