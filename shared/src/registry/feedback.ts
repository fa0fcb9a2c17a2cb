// One feedback record: an image a user sent back with its correct label. The worker writes it
// (feedback/<model>/<day>/<id>.json beside <id>.bin, see layout.ts); `resnet-edge retrain` reads it.
import { z } from 'zod';
import { IMAGE_FORMATS } from '../image/types.ts';

export const feedbackRecordSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  /** The model whose labels the label was checked against, and the version served at the time. */
  model: z.object({ name: z.string(), version: z.string() }),
  label: z.string().min(1),
  /** The sniffed image format, not the client's Content-Type. */
  format: z.enum(IMAGE_FORMATS),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().positive(),
  receivedAt: z.string().datetime(),
  /** sha256 of the client address with a per-deployment salt: enough to spot one client flooding, not to identify anyone. */
  client: z.string(),
});

export type FeedbackRecord = z.infer<typeof feedbackRecordSchema>;

export function parseFeedbackRecord(bytes: Uint8Array | string): FeedbackRecord {
  return feedbackRecordSchema.parse(JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes)));
}
