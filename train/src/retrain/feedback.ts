// Feedback from the store as a folder-per-class dataset on disk, so the trainer reads it like any other data.
// Records are checked (schema, label known to the champion, image sha256); a bad one is skipped and counted,
// never fatal: one broken upload must not stop a scheduled retraining.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { parseFeedbackRecord } from '@resnet-edge/shared/registry/feedback';
import { feedbackKeys, feedbackPrefix, isFeedbackMetaKey } from '@resnet-edge/shared/registry/layout';
import type { ObjectStore } from '@resnet-edge/registry/store';
import { IMAGE_FILE_EXTENSIONS } from '@resnet-edge/shared/image/types';

export interface FeedbackSet {
  /** A folder per label holding the images; null when there is no usable feedback. */
  dir: string | null;
  count: number;
  perLabel: Record<string, number>;
  skipped: { key: string; reason: string }[];
}

export async function downloadFeedback(
  store: ObjectStore,
  model: string,
  labels: string[],
  dir: string,
  opts: { until?: string; log?: (m: string) => void } = {},
): Promise<FeedbackSet> {
  const keys = (await store.list(feedbackPrefix(model))).filter(
    (k) => isFeedbackMetaKey(k) && (!opts.until || k <= opts.until),
  );
  const perLabel: Record<string, number> = {};
  const skipped: FeedbackSet['skipped'] = [];
  for (const key of keys) {
    const reason = await fetchOne(store, model, key, labels, dir, perLabel);
    if (reason) skipped.push({ key, reason });
  }
  const count = Object.values(perLabel).reduce((a, b) => a + b, 0);
  opts.log?.(
    `feedback: ${count} image(s) from ${store.describe}/${feedbackPrefix(model)}${skipped.length ? `, ${skipped.length} skipped` : ''}`,
  );
  return { dir: count > 0 ? dir : null, count, perLabel, skipped };
}

/** Writes one feedback image into dir/<label>/; returns why it was skipped, or null. */
async function fetchOne(
  store: ObjectStore,
  model: string,
  key: string,
  labels: string[],
  dir: string,
  perLabel: Record<string, number>,
): Promise<string | null> {
  const meta = await store.get(key);
  if (!meta) return 'record vanished while listing';
  let record;
  try {
    record = parseFeedbackRecord(meta.bytes);
  } catch (err) {
    return `record is not valid: ${(err as Error).message.slice(0, 200)}`;
  }
  if (!labels.includes(record.label)) return `label '${record.label}' is not a label of the champion`;
  const image = await store.get(feedbackKeys(model, record.id).image);
  if (!image) return 'image missing';
  if ((await sha256Hex(image.bytes)) !== record.sha256) return 'image sha256 does not match its record';
  await mkdir(join(dir, record.label), { recursive: true });
  await writeFile(join(dir, record.label, `${record.id}.${IMAGE_FILE_EXTENSIONS[record.format]}`), image.bytes);
  perLabel[record.label] = (perLabel[record.label] ?? 0) + 1;
  return null;
}
