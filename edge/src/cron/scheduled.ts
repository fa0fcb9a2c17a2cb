// The worker's cron trigger ([triggers] crons in wrangler.toml): when enough new feedback has arrived for the
// served model, submit the retraining job and remember how far the feedback went. Everything is logged; an
// error leaves the state unchanged, so the next tick tries again.
import type { Env } from '../env.ts';
import { settingsOf, type Settings } from '../settings.ts';
import { decide, type Decision } from './decide.ts';
import { countNewFeedback, readCronState, writeCronState } from './feedback-state.ts';
import { submitRetrainJob, type BatchJobConfig } from './submit-job.ts';

export function batchConfigOf({ batch }: Settings): BatchJobConfig | null {
  const { queue, definition, accessKeyId, secretAccessKey, region, endpoint } = batch;
  if (!queue || !definition || !accessKeyId || !secretAccessKey) return null;
  return { queue, definition, accessKeyId, secretAccessKey, region, ...(endpoint ? { endpoint } : {}) };
}

export interface CronOutcome {
  model: string;
  decision: Decision;
  jobId?: string;
}

export async function runRetrainCron(env: Env, now = new Date()): Promise<CronOutcome> {
  const settings = settingsOf(env);
  const model = settings.modelName;
  const minFeedback = settings.retrainMinFeedback;
  const state = await readCronState(env.MODELS, model);
  const fresh = await countNewFeedback(env.MODELS, model, state.lastFeedbackKey);
  const config = batchConfigOf(settings);
  const decision = decide(fresh, minFeedback, config !== null);
  if (!decision.submit || !config) {
    console.log(`retrain cron (${model}): not submitting: ${decision.reason}`);
    return { model, decision };
  }
  const job = await submitRetrainJob(
    config,
    { model, reason: `cron: ${decision.reason}`, feedbackUntil: fresh.newestKey },
    now,
  );
  await writeCronState(env.MODELS, model, {
    lastFeedbackKey: fresh.newestKey,
    lastJobId: job.jobId,
    lastSubmittedAt: now.toISOString(),
  });
  console.log(`retrain cron (${model}): submitted ${job.jobName} (${job.jobId}): ${decision.reason}`);
  return { model, decision, jobId: job.jobId };
}
