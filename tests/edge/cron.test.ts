// The retraining cron in real workerd: the decision as plain functions, then the scheduled handler's real
// AWS Batch SubmitJob request (SDK v3, SigV4-signed) sent to a local HTTP server that records it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cronStateKey } from '@resnet-edge/shared/registry/layout';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../edge/src/cron/decide.ts';
import { publish } from './publish.ts';
import { tinyModel } from './tiny-model.ts';
import { fixture, startWorker, type TestWorker } from './worker.ts';

interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let endpoint: string;
const requests: Recorded[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jobArn: 'arn:aws:batch:eu-west-1:123456789012:job/abc',
          jobName: JSON.parse(body || '{}').jobName,
          jobId: `job-${requests.length}`,
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('decide', () => {
  it('submits only at the threshold, and only when the job is configured', () => {
    expect(decide({ count: 2, newestKey: 'k' }, 3, true).submit).toBe(false);
    expect(decide({ count: 3, newestKey: 'k' }, 3, true)).toEqual({
      submit: true,
      reason: '3 new feedback image(s) (threshold 3)',
    });
    expect(decide({ count: 50, newestKey: 'k' }, 3, false)).toMatchObject({
      submit: false,
      reason: expect.stringContaining('not configured'),
    });
  });
});

describe('scheduled handler', () => {
  let worker: TestWorker;
  const bindings = {
    RETRAIN_MIN_FEEDBACK: '3',
    FEEDBACK_PER_MINUTE: '100',
    BATCH_JOB_QUEUE: 'resnet-edge-gpu',
    BATCH_JOB_DEFINITION: 'resnet-edge-retrain',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  };

  beforeAll(async () => {
    worker = await startWorker({ ...bindings, BATCH_ENDPOINT: endpoint });
    await publish(worker, 'fashion-mnist', '1.0.0', tinyModel(1));
  });
  afterAll(() => worker?.dispose());

  const tick = async () => (await worker.mf.getWorker()).scheduled({ cron: '*/30 * * * *' });
  async function sendFeedback(n: number): Promise<void> {
    const png = await fixture('data', 'fashion-mnist-mini', 'test', 'bag', '00018.png');
    for (let i = 0; i < n; i++) {
      const res = await worker.fetch('/v1/feedback?label=bag', {
        method: 'POST',
        body: png,
        headers: { 'cf-connecting-ip': '10.1.0.1' },
      });
      expect(res.status).toBe(202);
    }
  }

  it('does nothing below the threshold', async () => {
    await sendFeedback(2);
    await tick();
    expect(requests).toHaveLength(0);
  });

  it('at the threshold sends one signed SubmitJob for the configured queue and definition, and remembers it', async () => {
    await sendFeedback(1);
    await tick();
    expect(requests).toHaveLength(1);
    const req = requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/submitjob');
    expect(req.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/batch\/aws4_request, SignedHeaders=.+, Signature=[0-9a-f]{64}$/,
    );
    const body = JSON.parse(req.body) as {
      jobName: string;
      jobQueue: string;
      jobDefinition: string;
      containerOverrides: { environment: { name: string; value: string }[] };
    };
    expect(body.jobQueue).toBe('resnet-edge-gpu');
    expect(body.jobDefinition).toBe('resnet-edge-retrain');
    expect(body.jobName).toMatch(/^retrain-fashion-mnist-\d{14}$/);
    const env = Object.fromEntries(body.containerOverrides.environment.map((e) => [e.name, e.value]));
    expect(env.RESNET_EDGE_MODEL).toBe('fashion-mnist');
    expect(env.RESNET_EDGE_REASON).toContain('3 new feedback');
    expect(env.RESNET_EDGE_FEEDBACK_UNTIL).toMatch(/^feedback\/fashion-mnist\/.+\.json$/);
    const state = await (await worker.mf.getR2Bucket('MODELS')).get(cronStateKey('fashion-mnist'));
    expect(JSON.parse(await state!.text())).toMatchObject({
      lastJobId: 'job-1',
      lastFeedbackKey: env.RESNET_EDGE_FEEDBACK_UNTIL,
    });
  });

  it('counts only feedback newer than the last submission', async () => {
    await tick();
    expect(requests).toHaveLength(1);
    await sendFeedback(3);
    await tick();
    expect(requests).toHaveLength(2);
  });
});
