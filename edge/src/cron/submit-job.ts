// Submits the retraining job to AWS Batch with the SDK's SubmitJob. The SDK's browser build runs in workerd
// (fetch-based HTTP handler, WebCrypto signing); credentials come from the worker's secrets, and the endpoint
// can be overridden so tests can send the real request to a local server that records it.
import { BatchClient, SubmitJobCommand } from '@aws-sdk/client-batch';

export interface BatchJobConfig {
  queue: string;
  definition: string;
  region: string;
  endpoint?: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SubmitRequest {
  model: string;
  reason: string;
  /** The newest feedback key the job should include. */
  feedbackUntil: string | null;
}

export async function submitRetrainJob(
  config: BatchJobConfig,
  req: SubmitRequest,
  now = new Date(),
): Promise<{ jobId: string; jobName: string }> {
  const client = new BatchClient({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    maxAttempts: 3,
  });
  const jobName = `retrain-${req.model}-${now.toISOString().replace(/\D/g, '').slice(0, 14)}`.replace(
    /[^A-Za-z0-9_-]/g,
    '-',
  );
  const out = await client.send(
    new SubmitJobCommand({
      jobName,
      jobQueue: config.queue,
      jobDefinition: config.definition,
      containerOverrides: {
        environment: [
          { name: 'RESNET_EDGE_MODEL', value: req.model },
          { name: 'RESNET_EDGE_REASON', value: req.reason },
          ...(req.feedbackUntil ? [{ name: 'RESNET_EDGE_FEEDBACK_UNTIL', value: req.feedbackUntil }] : []),
        ],
      },
    }),
  );
  if (!out.jobId) throw new Error(`SubmitJob answered without a jobId for ${jobName}`);
  return { jobId: out.jobId, jobName: out.jobName ?? jobName };
}
