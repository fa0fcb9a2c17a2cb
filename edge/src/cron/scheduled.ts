// The worker's cron trigger ([triggers] crons in wrangler.toml): when enough new feedback has arrived for the
// served model, submit the retraining job and remember how far the feedback went. Everything is logged; an
// error leaves the state unchanged, so the next tick tries again.
import type { Env } from '../env.ts';
import { decide, type Decision } from './decide.ts';
import { countNewFeedback, readCronState, writeCronState } from './feedback-state.ts';
import { submitRetrainJob, type BatchJobConfig } from './submit-job.ts';

export const DEFAULT_MIN_FEEDBACK = 100;

export function batchConfigOf(env: Env): BatchJobConfig | null {
  const { BATCH_JOB_QUEUE: queue, BATCH_JOB_DEFINITION: definition, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (!queue || !definition || !accessKeyId || !secretAccessKey) return null;
  return { queue, definition, accessKeyId, secretAccessKey, region: env.AWS_REGION || 'us-east-1', ...(env.BATCH_ENDPOINT ? { endpoint: env.BATCH_ENDPOINT } : {}) };
}

export interface CronOutcome {
  model: string;
  decision: Decision;
  jobId?: string;
}

export async function runRetrainCron(env: Env, now = new Date()): Promise<CronOutcome> {
  const model = env.MODEL_NAME || 'fashion-mnist';
  const minFeedback = Number(env.RETRAIN_MIN_FEEDBACK ?? DEFAULT_MIN_FEEDBACK) || DEFAULT_MIN_FEEDBACK;
  const state = await readCronState(env.MODELS, model);
  const fresh = await countNewFeedback(env.MODELS, model, state.lastFeedbackKey);
  const config = batchConfigOf(env);
  const decision = decide(fresh, minFeedback, config !== null);
  if (!decision.submit || !config) {
    console.log(`retrain cron (${model}): not submitting: ${decision.reason}`);
    return { model, decision };
  }
  const job = await submitRetrainJob(config, { model, reason: `cron: ${decision.reason}`, feedbackUntil: fresh.newestKey }, now);
  await writeCronState(env.MODELS, model, { lastFeedbackKey: fresh.newestKey, lastJobId: job.jobId, lastSubmittedAt: now.toISOString() });
  console.log(`retrain cron (${model}): submitted ${job.jobName} (${job.jobId}): ${decision.reason}`);
  return { model, decision, jobId: job.jobId };
}
