// Feedback as plain functions: check an upload (the image decodes with the model's own preprocessing, the label
// is one of the model's labels), describe it as a FeedbackRecord, and store it (image first, record last, so
// a record never points at a missing image).
import { sniffFormat } from '@resnet-edge/shared/image/sniff';
import { IMAGE_MEDIA_TYPES } from '@resnet-edge/shared/image/types';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { preprocess } from '@resnet-edge/shared/preprocess/index';
import type { FeedbackRecord } from '@resnet-edge/shared/registry/feedback';
import { feedbackKeys } from '@resnet-edge/shared/registry/layout';
import type { Manifest } from '@resnet-edge/shared/registry/manifest';
import { ApiError, asImageApiError } from '../errors.ts';

export interface FeedbackInput {
  bytes: Uint8Array;
  label: string | undefined;
  manifest: Manifest;
  maxPixels: number;
  /** Already hashed with the deployment's salt. */
  client: string;
  now?: Date;
}

export function checkLabel(label: string | undefined, manifest: Manifest): string {
  if (label === undefined || label === '') {
    throw new ApiError(400, 'bad_parameter', 'say which label is correct: ?label=NAME or a multipart field "label"');
  }
  if (!manifest.labels.includes(label)) {
    throw new ApiError(
      400,
      'unknown_label',
      `'${label}' is not a label of ${manifest.name}@${manifest.version}; its labels are: ${manifest.labels.join(', ')}`,
    );
  }
  return label;
}

/** A sortable, unique id: UTC time to the millisecond, then 48 random bits. */
export function newFeedbackId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:.]/g, ''); // 20261124T190512345Z
  const random = [...crypto.getRandomValues(new Uint8Array(6))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${stamp}-${random}`;
}

export async function acceptFeedback(input: FeedbackInput): Promise<FeedbackRecord> {
  const { manifest } = input;
  const label = checkLabel(input.label, manifest);
  try {
    // The whole decode, not just the header: feedback that cannot be trained on is refused now, not at retrain time.
    preprocess(input.bytes, {
      ...manifest.preprocess,
      maxPixels: Math.min(manifest.preprocess.maxPixels, input.maxPixels),
    });
  } catch (error) {
    asImageApiError(error);
  }
  const format = sniffFormat(input.bytes);
  // preprocess() decoded it, so this cannot happen; kept so the record's format is never a guess.
  if (format === null) throw new ApiError(415, 'unsupported_format', 'feedback image format not recognised');
  const now = input.now ?? new Date();
  return {
    schemaVersion: 1,
    id: newFeedbackId(now),
    model: { name: manifest.name, version: manifest.version },
    label,
    format,
    sha256: await sha256Hex(input.bytes),
    size: input.bytes.byteLength,
    receivedAt: now.toISOString(),
    client: input.client,
  };
}

export async function storeFeedback(
  bucket: R2Bucket,
  record: FeedbackRecord,
  bytes: Uint8Array,
): Promise<{ image: string; meta: string }> {
  const keys = feedbackKeys(record.model.name, record.id);
  await bucket.put(keys.image, bytes, {
    httpMetadata: { contentType: IMAGE_MEDIA_TYPES[record.format] },
    sha256: record.sha256,
  });
  await bucket.put(keys.meta, JSON.stringify(record, null, 2), { httpMetadata: { contentType: 'application/json' } });
  return keys;
}

/** The client as a salted hash of its address: stable enough to rate-limit, useless to identify anyone. */
export async function clientHash(address: string, salt: string): Promise<string> {
  return (await sha256Hex(new TextEncoder().encode(`${salt}\u0000${address}`))).slice(0, 32);
}
