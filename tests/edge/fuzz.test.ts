// A small, seeded fuzz of the worker's HTTP layer against the local stack (HTTP front + wrangler dev, real
// workerd, 127.0.0.1): mutated real images, multipart edge cases, chunked bodies, Content-Length junk and lies,
// odd methods and paths, query junk. Every answer must be JSON, none a 5xx or a restart, none hang, and
// /healthz stays 200. `npm run bench -- fuzz` runs the same generator at ≥ 10,000 cases.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalWorker } from '../../cli/src/serve-worker.ts';
import { CI_FAMILIES, makeCases } from './fuzz/cases.ts';
import { runFuzz } from './fuzz/run.ts';
import { FUZZ_UPLOAD_LIMIT, startFuzzStack } from './fuzz/stack.ts';

const SEED = 14;
const COUNT = 150;

let stack: LocalWorker;
beforeAll(async () => {
  stack = await startFuzzStack(8930 + (process.pid % 50));
}, 120_000);
afterAll(() => stack?.stop());

it(`${COUNT} fuzzed requests: all JSON, no 5xx, no restart, no hang`, async () => {
  const report = await runFuzz(makeCases(SEED, COUNT, CI_FAMILIES, { uploadLimit: FUZZ_UPLOAD_LIMIT }), {
    url: stack.url,
    concurrency: 4,
    timeoutMs: 10_000,
    budgetMs: 60_000,
    healthEvery: 50,
    wranglerPid: stack.pid,
  });
  expect(report.outcomes.length).toBe(COUNT);
  const failures = report.failures.map((f) => `${f.case.id} ${f.case.family} ${f.case.what}: ${f.verdict} ${f.detail}`);
  expect(failures).toEqual([]);
  expect(report.healthFailures).toEqual([]);
  // The cases reach the worker's refusals, not one generic answer.
  const statuses = new Set(report.outcomes.map((o) => o.status));
  for (const status of [200, 400, 413]) expect(statuses, `statuses seen: ${[...statuses]}`).toContain(status);
}, 120_000);

/** One raw HTTP/1.1 exchange (fetch refuses to send malformed framing); resolves once the answer is complete. */
function exchange(
  url: string,
  head: string,
  body = '',
): Promise<{ ms: number; status: number; json: { error?: { code: string } } }> {
  const { hostname, port } = new URL(url);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(
      () => (socket.destroy(), reject(new Error(`no complete answer in 10 s to ${head}: ${text}`))),
      10_000,
    );
    socket.on('data', (d) => {
      text += d.toString();
      const m = /^HTTP\/1\.1 (\d+)[\s\S]*?content-length: (\d+)\r\n[\s\S]*?\r\n\r\n([\s\S]*)$/i.exec(text);
      if (m && Buffer.byteLength(m[3]!) >= Number(m[2])) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ ms: performance.now() - start, status: Number(m[1]), json: JSON.parse(m[3]!) });
      }
    });
    socket.on('error', reject);
    socket.write(`${head}\r\nHost: 127.0.0.1\r\n\r\n${body}`);
  });
}

it.each([
  ['Content-Length: -1', 400, 'bad_request'],
  ['Content-Length: abc', 400, 'bad_request'],
  ['Content-Length: 5, 5', 400, 'bad_request'],
  ['Content-Length: 5\r\nTransfer-Encoding: chunked', 400, 'bad_request'],
  ['Content-Length: 99999999999', 413, 'payload_too_large'],
])('the local stack answers %s at once, as JSON', async (header, status, code) => {
  const answer = await exchange(stack.url, `POST /v1/classify HTTP/1.1\r\n${header}`, 'hello');
  expect(answer.status).toBe(status);
  expect(answer.json.error?.code).toBe(code);
  expect(answer.ms).toBeLessThan(2000);
});
