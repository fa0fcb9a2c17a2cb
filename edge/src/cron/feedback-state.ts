// What the cron knows, kept in the bucket: how much feedback arrived since the last job was submitted.
// Feedback keys sort by arrival time (layout.ts), so "new" is simply "listed after the key recorded at the
// last submission".
import { cronStateKey, feedbackPrefix, isFeedbackMetaKey } from '@resnet-edge/shared/registry/layout';
import { z } from 'zod';
import type { NewFeedback } from './decide.ts';

const cronStateSchema = z.object({
  /** The newest feedback record included when the last job was submitted. */
  lastFeedbackKey: z.string().nullable(),
  lastJobId: z.string().nullable(),
  lastSubmittedAt: z.string().nullable(),
});
export type CronState = z.infer<typeof cronStateSchema>;

export const EMPTY_STATE: CronState = { lastFeedbackKey: null, lastJobId: null, lastSubmittedAt: null };

export async function readCronState(bucket: R2Bucket, model: string): Promise<CronState> {
  const obj = await bucket.get(cronStateKey(model));
  if (!obj) return EMPTY_STATE;
  const parsed = cronStateSchema.safeParse(await obj.json().catch(() => null));
  // A corrupt state is not a reason to stop retraining: start counting from the beginning again.
  return parsed.success ? parsed.data : EMPTY_STATE;
}

export async function writeCronState(bucket: R2Bucket, model: string, state: CronState): Promise<void> {
  await bucket.put(cronStateKey(model), JSON.stringify(state, null, 2), {
    httpMetadata: { contentType: 'application/json' },
  });
}

/** Counts feedback records after `afterKey`, paging through the listing (at most `limit` are counted). */
export async function countNewFeedback(
  bucket: R2Bucket,
  model: string,
  afterKey: string | null,
  limit = 100_000,
): Promise<NewFeedback> {
  let count = 0;
  let newestKey: string | null = null;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({
      prefix: feedbackPrefix(model),
      ...(afterKey ? { startAfter: afterKey } : {}),
      ...(cursor ? { cursor } : {}),
      limit: 1000,
    });
    for (const o of page.objects) {
      if (!isFeedbackMetaKey(o.key)) continue;
      count++;
      if (newestKey === null || o.key > newestKey) newestKey = o.key;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor && count < limit);
  return { count, newestKey };
}
