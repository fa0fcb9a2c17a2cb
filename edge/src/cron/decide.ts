// The cron's decision as a pure function: is the new feedback enough to retrain, and can a job be submitted?
export interface NewFeedback {
  count: number;
  newestKey: string | null;
}

export type Decision = { submit: true; reason: string } | { submit: false; reason: string };

export function decide(fresh: NewFeedback, minFeedback: number, jobConfigured: boolean): Decision {
  if (fresh.count < minFeedback)
    return { submit: false, reason: `${fresh.count} new feedback image(s), fewer than ${minFeedback}` };
  if (!jobConfigured)
    return {
      submit: false,
      reason: `${fresh.count} new feedback image(s), but BATCH_JOB_QUEUE / BATCH_JOB_DEFINITION / AWS credentials are not configured`,
    };
  return { submit: true, reason: `${fresh.count} new feedback image(s) (threshold ${minFeedback})` };
}
