// `npm run bench -- fuzz [--count 10000] [--seed 14] [--families mutate,multipart,chunked,framing,query,hostile]
//   [--concurrency 8] [--minutes 20] [--port 8931] [--only 14:123,14:456]`
// The HTTP-layer fuzzer of tests/edge/fuzz at benchmark size, against the local stack `resnet-edge serve` runs
// (HTTP front + wrangler dev, real workerd, 127.0.0.1 only). Prints the verdicts, latency and workerd RSS per
// thousand requests, and every failing case by id; `--only` re-runs chosen ids. All families by default, as in CI.
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  CI_FAMILIES,
  FAMILIES,
  makeCase,
  makeCases,
  seedImages,
  type Family,
  type FuzzCase,
} from '../tests/edge/fuzz/cases.ts';
import { runFuzz } from '../tests/edge/fuzz/run.ts';
import { FUZZ_UPLOAD_LIMIT, startFuzzStack } from '../tests/edge/fuzz/stack.ts';
import { sampleIsolateHeap } from '../tests/edge/isolate-inspector.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '14' },
    families: { type: 'string', default: CI_FAMILIES.join(',') },
    concurrency: { type: 'string', default: '8' },
    minutes: { type: 'string', default: '20' },
    port: { type: 'string', default: '8931' },
    only: { type: 'string' },
    'inspector-port': { type: 'string', default: '9329' },
  },
});
const families = values.families!.split(',') as Family[];
for (const f of families)
  if (!FAMILIES.includes(f)) throw new Error(`unknown family '${f}'; families: ${FAMILIES.join(', ')}`);
const seed = Number(values.seed);
const opts = { uploadLimit: FUZZ_UPLOAD_LIMIT };
const cases: Iterable<FuzzCase> = values.only
  ? values.only.split(',').map((id) => {
      const images = seedImages();
      const [s, n] = id.split(':').map(Number);
      return makeCase(s!, n!, families, images, opts);
    })
  : makeCases(seed, Number(values.count), families, opts);

const inspectorPort = Number(values['inspector-port']);
const stack = await startFuzzStack(Number(values.port), inspectorPort);
const heap = await sampleIsolateHeap(inspectorPort).catch((error: unknown) => {
  console.error(`isolate heap not sampled (inspector on ${inspectorPort}): ${(error as Error).message}`);
  return null;
});
let report;
try {
  report = await runFuzz(cases, {
    url: stack.url,
    concurrency: Number(values.concurrency),
    timeoutMs: 30_000,
    budgetMs: Number(values.minutes) * 60_000,
    wranglerPid: stack.pid,
    ...(heap ? { isolateHeapMiB: heap.latest } : {}),
  });
} finally {
  heap?.close();
  await stack.stop();
}
console.log(
  `\nFuzz — local stack (front + wrangler dev/workerd) on 127.0.0.1, seed ${seed}, families ${families.join(',')}, concurrency ${values.concurrency} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
console.log(
  `${report.outcomes.length} requests in ${report.seconds.toFixed(0)} s; verdicts: ${Object.entries(report.byVerdict)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}; /healthz failures: ${report.healthFailures.length}\n`,
);
console.log('| requests | p50 | p99 | max | failures | workerd RSS | isolate JS heap used / reserved |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
let done = 0;
for (const b of report.blocks) {
  done += b.requests;
  console.log(
    `| ≤ ${done} | ${b.p50.toFixed(1)} ms | ${b.p99.toFixed(1)} ms | ${b.max.toFixed(0)} ms | ${b.failures} | ${b.rssMiB === null ? '—' : `${b.rssMiB.toFixed(0)} MiB`} | ${b.heapMiB ? `${b.heapMiB.used.toFixed(1)} / ${b.heapMiB.total.toFixed(1)} MiB` : '—'} |`,
  );
}
const rss = report.blocks.map((b) => b.rssMiB).filter((r): r is number => r !== null);
if (rss.length > 1)
  console.log(
    `\nworkerd RSS first → last block: ${rss[0]!.toFixed(0)} → ${rss.at(-1)!.toFixed(0)} MiB (${(((rss.at(-1)! - rss[0]!) / rss[0]!) * 100).toFixed(1)} %)`,
  );
for (const f of report.failures.slice(0, 50))
  console.log(
    `FAIL ${f.case.id} ${f.case.family} ${f.case.what.slice(0, 70)} → ${f.verdict} in ${f.ms.toFixed(0)} ms: ${f.detail.slice(0, 120)}`,
  );
for (const h of report.healthFailures) console.log(`HEALTH ${h}`);
if (report.failures.length > 0)
  console.log(
    `\nre-run: npm run bench -- fuzz --families ${families.join(',')} --only ${report.failures
      .slice(0, 20)
      .map((f) => f.case.id)
      .join(',')}`,
  );
